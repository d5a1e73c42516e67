// libedit's readline interface (Debian libedit-dev, pkg-config libedit) for `arcface-lessons repl`:
// line editing and history on a terminal. Only LessonKit's ReplTerminal.swift imports it.
#include <stdio.h>
#include <editline/readline.h>
#include <sys/prctl.h>

// prctl is variadic, which Swift cannot call: the REPL becomes the reaper of the lesson processes
// it starts (a snapshot that takes over from a process that trapped is re-parented to it).
static inline int cedit_become_subreaper(void) { return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); }
