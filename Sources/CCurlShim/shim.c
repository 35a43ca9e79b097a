#include "ccurl_shim.h"

CURLcode ballast_curl_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
CURLcode ballast_curl_setopt_string(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
CURLcode ballast_curl_setopt_pointer(CURL *h, CURLoption o, void *v) { return curl_easy_setopt(h, o, v); }
CURLcode ballast_curl_setopt_offset(CURL *h, CURLoption o, curl_off_t v) { return curl_easy_setopt(h, o, v); }
CURLcode ballast_curl_setopt_callback(CURL *h, CURLoption o, ballast_curl_data_callback v) { return curl_easy_setopt(h, o, v); }
CURLcode ballast_curl_setopt_progress(CURL *h, CURLoption o, ballast_curl_progress_callback v) { return curl_easy_setopt(h, o, v); }
CURLcode ballast_curl_getinfo_long(CURL *h, CURLINFO i, long *v) { return curl_easy_getinfo(h, i, v); }
CURLcode ballast_curl_getinfo_double(CURL *h, CURLINFO i, double *v) { return curl_easy_getinfo(h, i, v); }
