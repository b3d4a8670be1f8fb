// zlib, for its CRC-32 (ZIPFoundation inflates with zlib but checks entries with a byte-at-a-time CRC of its own on Linux).
#include <zlib.h>
