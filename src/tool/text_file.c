#include "text_file.h"

#include "diag.h"

#include <errno.h>
#include <stdlib.h>

int text_file_read(FILE *in, char **text, size_t *length)
{
    size_t size = 0, capacity = 4096;
    char *buffer = xmalloc(capacity);

    for (;;) {
        size_t got = fread(buffer + size, 1, capacity - size - 1, in);

        size += got;
        if (size + 1 < capacity)
            break;
        buffer = xrealloc(buffer, capacity * 2);
        capacity *= 2;
    }
    if (ferror(in)) {
        int error = errno ? errno : EIO;

        free(buffer);
        *text = NULL;
        *length = 0;
        return error;
    }
    buffer[size] = '\0';
    *text = buffer;
    *length = size;
    return 0;
}
