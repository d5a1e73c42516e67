#include <sys/prctl.h>
#include "cprocesscontrol.h"

int cpc_become_subreaper(void) { return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); }
