#ifndef CDCTC_CURL_SHIM_H
#define CDCTC_CURL_SHIM_H
// Typed, non-variadic doors into libcurl for Swift.
//
// Swift cannot call C variadic functions (curl_easy_setopt, curl_easy_getinfo,
// curl_share_setopt) nor function-like macros (CURLVERSION_NOW as an argument of
// curl_version_info is fine, but CURL_GLOBAL_DEFAULT is an expression macro). Each
// wrapper below passes exactly one argument type, so the C compiler checks the type
// that libcurl will read back with va_arg.
#include <curl/curl.h>

// The Swift side assumes these; a different libcurl build would silently misread varargs.
_Static_assert(sizeof(curl_off_t) == 8, "curl_off_t must be 64 bits (Swift imports it as Int)");
_Static_assert(sizeof(long) == 8, "long must be 64 bits (Swift imports it as Int)");
_Static_assert(LIBCURL_VERSION_NUM >= 0x073E00, "libcurl 7.62 or newer is needed (UPLOAD_BUFFERSIZE, *_T infos)");
_Static_assert(CURL_LOCK_DATA_LAST <= 16, "the Swift lock table holds 16 lock kinds");
_Static_assert(CURL_ERROR_SIZE == 256, "the Swift side allocates CURL_ERROR_SIZE bytes for CURLOPT_ERRORBUFFER");

// MARK: - Global

// CURL_GLOBAL_DEFAULT is an expression macro that Swift does not import.
static inline CURLcode CDCTCCurl_global_init_default(void) {
    return curl_global_init(CURL_GLOBAL_DEFAULT);
}

// CURLVERSION_NOW names the struct version this header was compiled against.
static inline curl_version_info_data *CDCTCCurl_version_info_now(void) {
    return curl_version_info(CURLVERSION_NOW);
}

// CURLAUTH_* are macros with casts ((unsigned long)1 << n) that Swift does not import.
static const long CDCTCCurl_AUTH_BASIC = (long)CURLAUTH_BASIC;
static const long CDCTCCurl_AUTH_DIGEST = (long)CURLAUTH_DIGEST;
static const long CDCTCCurl_AUTH_ANYSAFE = (long)CURLAUTH_ANYSAFE;

// MARK: - curl_easy_setopt, one wrapper per argument kind

// Options of type long (CURLOPTTYPE_LONG): flags, timeouts, sizes that fit a long.
static inline CURLcode CDCTCCurl_easy_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

// Options of type curl_off_t (CURLOPTTYPE_OFF_T): *_LARGE sizes and offsets.
static inline CURLcode CDCTCCurl_easy_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

// String options (CURLOPTTYPE_STRINGPOINT); libcurl copies them, NULL restores the default.
static inline CURLcode CDCTCCurl_easy_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

// Object and data pointers (CURLOPTTYPE_OBJECTPOINT / CBPOINT): WRITEDATA, ERRORBUFFER, SHARE.
static inline CURLcode CDCTCCurl_easy_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

// String lists (CURLOPTTYPE_SLISTPOINT): HTTPHEADER, QUOTE; libcurl does NOT copy them.
static inline CURLcode CDCTCCurl_easy_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *list) {
    return curl_easy_setopt(handle, option, list);
}

// CURLOPT_WRITEFUNCTION takes a function pointer, which va_arg must read as that type.
static inline CURLcode CDCTCCurl_easy_setopt_write_function(CURL *handle, curl_write_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, callback);
}

// CURLOPT_READFUNCTION: same reason as the write function.
static inline CURLcode CDCTCCurl_easy_setopt_read_function(CURL *handle, curl_read_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_READFUNCTION, callback);
}

// CURLOPT_HEADERFUNCTION has the write callback's signature.
static inline CURLcode CDCTCCurl_easy_setopt_header_function(CURL *handle, curl_write_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, callback);
}

// CURLOPT_XFERINFOFUNCTION: progress and cancellation checks.
static inline CURLcode CDCTCCurl_easy_setopt_xferinfo_function(CURL *handle, curl_xferinfo_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, callback);
}

// CURLOPT_SEEKFUNCTION: rewinding an upload when libcurl must resend it.
static inline CURLcode CDCTCCurl_easy_setopt_seek_function(CURL *handle, curl_seek_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_SEEKFUNCTION, callback);
}

// MARK: - curl_easy_getinfo, one wrapper per result kind

// Infos of type long (CURLINFO_LONG): RESPONSE_CODE, OS_ERRNO.
static inline CURLcode CDCTCCurl_easy_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

// Infos of type curl_off_t (CURLINFO_OFF_T): *_T sizes and FILETIME_T.
static inline CURLcode CDCTCCurl_easy_getinfo_off_t(CURL *handle, CURLINFO info, curl_off_t *value) {
    return curl_easy_getinfo(handle, info, value);
}

// Infos of type double (CURLINFO_DOUBLE): TOTAL_TIME and friends.
static inline CURLcode CDCTCCurl_easy_getinfo_double(CURL *handle, CURLINFO info, double *value) {
    return curl_easy_getinfo(handle, info, value);
}

// Infos of type char* (CURLINFO_STRING): EFFECTIVE_URL; the string belongs to the handle.
static inline CURLcode CDCTCCurl_easy_getinfo_string(CURL *handle, CURLINFO info, char **value) {
    return curl_easy_getinfo(handle, info, value);
}

// MARK: - curl_share_setopt

// CURLSHOPT_SHARE / CURLSHOPT_UNSHARE take a curl_lock_data.
static inline CURLSHcode CDCTCCurl_share_setopt_lock_data(CURLSH *share, CURLSHoption option, curl_lock_data data) {
    return curl_share_setopt(share, option, data);
}

// CURLSHOPT_LOCKFUNC takes a function pointer.
static inline CURLSHcode CDCTCCurl_share_setopt_lock_function(CURLSH *share, curl_lock_function callback) {
    return curl_share_setopt(share, CURLSHOPT_LOCKFUNC, callback);
}

// CURLSHOPT_UNLOCKFUNC takes a function pointer.
static inline CURLSHcode CDCTCCurl_share_setopt_unlock_function(CURLSH *share, curl_unlock_function callback) {
    return curl_share_setopt(share, CURLSHOPT_UNLOCKFUNC, callback);
}

// CURLSHOPT_USERDATA: the context pointer handed to the lock functions.
static inline CURLSHcode CDCTCCurl_share_setopt_userdata(CURLSH *share, void *userdata) {
    return curl_share_setopt(share, CURLSHOPT_USERDATA, userdata);
}

#endif
