#include "ballast_build_info.h"

// A C target, not Swift: a define carries a value only into C (`swift build -Xcc -D...`).
#ifndef BALLAST_BUILD_COMMIT
#define BALLAST_BUILD_COMMIT ""
#endif
#ifndef BALLAST_BUILD_DATE
#define BALLAST_BUILD_DATE ""
#endif

const char *ballast_build_commit(void) { return BALLAST_BUILD_COMMIT; }
const char *ballast_build_date(void) { return BALLAST_BUILD_DATE; }
