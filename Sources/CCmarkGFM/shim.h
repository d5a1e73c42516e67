// Only the public headers: /usr/include/cmark-gfm/ also holds private ones (node.h, buffer.h).
#include <cmark-gfm.h>
#include <cmark-gfm-core-extensions.h>
