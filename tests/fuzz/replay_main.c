/*
 * A libFuzzer harness without libFuzzer: runs LLVMFuzzerTestOneInput once on
 * each file named on the command line (or each file of each directory named),
 * so a compiler without -fsanitize=fuzzer still runs a harness's oracles on
 * its committed corpus. Exit status 0 when every input ran; the oracles abort.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *data;
    long size;
    size_t got;

    if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        perror(path);
        if (f != NULL)
            fclose(f);
        return 1;
    }
    data = malloc((size_t)size + 1u);
    got = data != NULL ? fread(data, 1, (size_t)size, f) : 0;
    fclose(f);
    if (data == NULL || got != (size_t)size) {
        fprintf(stderr, "%s: cannot read\n", path);
        free(data);
        return 1;
    }
    LLVMFuzzerTestOneInput(data, got);
    free(data);
    return 0;
}

int main(int argc, char **argv)
{
    int failed = 0, inputs = 0;

    for (int i = 1; i < argc; i++) {
        struct stat st;
        DIR *dir;
        struct dirent *d;

        if (stat(argv[i], &st) != 0) {
            perror(argv[i]);
            return 1;
        }
        if (!S_ISDIR(st.st_mode)) {
            failed |= run_file(argv[i]);
            inputs++;
            continue;
        }
        dir = opendir(argv[i]);
        while (dir != NULL && (d = readdir(dir)) != NULL) {
            char path[4096];
            if (d->d_name[0] == '.')
                continue;
            snprintf(path, sizeof path, "%s/%s", argv[i], d->d_name);
            failed |= run_file(path);
            inputs++;
        }
        if (dir != NULL)
            closedir(dir);
    }
    printf("%d inputs\n", inputs);
    return failed;
}
