// Compile-matrix probe for C++: the same probe as headers_only.c, compiled as C++.
#include "headers_only.c"
