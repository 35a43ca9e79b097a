// One typed wrapper per argument type of the variadic curl_easy_setopt and
// curl_easy_getinfo, which Swift cannot call. No logic lives here.
#ifndef BALLAST_CCURL_SHIM_H
#define BALLAST_CCURL_SHIM_H
#include <curl/curl.h>

typedef size_t (*ballast_curl_data_callback)(char *data, size_t size, size_t count, void *context);
typedef int (*ballast_curl_progress_callback)(void *context, curl_off_t download_total, curl_off_t downloaded,
                                              curl_off_t upload_total, curl_off_t uploaded);

CURLcode ballast_curl_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode ballast_curl_setopt_string(CURL *handle, CURLoption option, const char *value);
CURLcode ballast_curl_setopt_pointer(CURL *handle, CURLoption option, void *value);
CURLcode ballast_curl_setopt_offset(CURL *handle, CURLoption option, curl_off_t value);
CURLcode ballast_curl_setopt_callback(CURL *handle, CURLoption option, ballast_curl_data_callback value);
CURLcode ballast_curl_setopt_progress(CURL *handle, CURLoption option, ballast_curl_progress_callback value);
CURLcode ballast_curl_getinfo_long(CURL *handle, CURLINFO info, long *value);
CURLcode ballast_curl_getinfo_double(CURL *handle, CURLINFO info, double *value);

#endif
