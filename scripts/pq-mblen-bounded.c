/* PQmblenBounded for libpq 13, which lacks it (libpq 14 added it; Debian's psql 15 calls it).
   Defined as libpq 14 defines it: the character's length, bounded by the string's end.
   Built by scripts/install-pg-versions.sh into the cache and LD_PRELOADed beside libpq 13. */
#include <string.h>

extern int PQmblen(const char *s, int encoding);

int PQmblenBounded(const char *s, int encoding)
{
	return (int) strnlen(s, (size_t) PQmblen(s, encoding));
}
