/*
 * The floor of tests/bench/bench_dump.sh: the reads `x86msr dump -a` makes,
 * as a bare loop -- open ROOT/N/msr, pread 8 bytes at each address, close --
 * with no metadata, formatting or output.
 *
 *     pread_floor ROOT CPUS ADDRESS_FILE      (one hex address per line)
 */
#define _FILE_OFFSET_BITS 64
#define _POSIX_C_SOURCE 200809L

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    uint32_t *addresses = NULL;
    size_t count = 0, capacity = 0, i;
    unsigned long cpus, cpu, reads = 0;
    uint64_t sum = 0;
    unsigned long address;
    FILE *list;

    if (argc != 4) {
        fprintf(stderr, "usage: pread_floor ROOT CPUS ADDRESS_FILE\n");
        return 2;
    }
    cpus = strtoul(argv[2], NULL, 10);
    list = fopen(argv[3], "r");
    if (list == NULL) {
        perror(argv[3]);
        return 1;
    }
    while (fscanf(list, "%lx", &address) == 1) {
        if (count == capacity) {
            capacity = capacity ? 2 * capacity : 1024;
            addresses = realloc(addresses, capacity * sizeof *addresses);
            if (addresses == NULL)
                return 1;
        }
        addresses[count++] = (uint32_t)address;
    }
    fclose(list);
    for (cpu = 0; cpu < cpus; cpu++) {
        char path[4096];
        int fd;

        snprintf(path, sizeof path, "%s/%lu/msr", argv[1], cpu);
        fd = open(path, O_RDONLY);
        if (fd < 0) {
            perror(path);
            return 1;
        }
        for (i = 0; i < count; i++) {
            uint64_t value;

            if (pread(fd, &value, sizeof value, (off_t)addresses[i]) == (ssize_t)sizeof value) {
                sum += value;
                reads++;
            }
        }
        close(fd);
    }
    free(addresses);
    printf("%lu reads (checksum %016" PRIx64 ")\n", reads, sum);
    return 0;
}
