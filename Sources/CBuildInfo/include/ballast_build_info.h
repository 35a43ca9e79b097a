#ifndef BALLAST_BUILD_INFO_H
#define BALLAST_BUILD_INFO_H

/// The commit and the build date a release build was made from (`scripts/release.sh` passes
/// them as -DBALLAST_BUILD_COMMIT / -DBALLAST_BUILD_DATE); empty strings in a source build.
const char *ballast_build_commit(void);
const char *ballast_build_date(void);

#endif
