/* Reads records (u32 little-endian length, bytes) on stdin; prints "<sqli 0|1> <fingerprint>\t<xss 0|1>"
 * per record, from upstream libinjection linked in. Used by run.ts, never shipped. */
#include <stdint.h>
#include <stdio.h>
#include "libinjection.h"

int main(void) {
  static char buf[1 << 20];
  char fp[8];
  uint32_t n;
  while (fread(&n, 4, 1, stdin) == 1) {
    if (n > sizeof(buf) - 1 || fread(buf, 1, n, stdin) != n) return 1;
    buf[n] = 0;
    int s = libinjection_sqli(buf, n, fp);
    printf("%d %s\t%d\n", s, s ? fp : "", libinjection_xss(buf, n));
  }
  return 0;
}
