#ifndef HV_H
#define HV_H
const char *hv_register_name(void);
#endif
