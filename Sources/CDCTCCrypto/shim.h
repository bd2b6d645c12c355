#ifndef CDCTC_CRYPTO_SHIM_H
#define CDCTC_CRYPTO_SHIM_H
// OpenSSL's libcrypto (already linked by libcurl): MD5/SHA at assembly speed with no build cost.
#include <openssl/evp.h>
#include <openssl/crypto.h>
#endif
