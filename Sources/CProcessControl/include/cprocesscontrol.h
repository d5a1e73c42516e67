// prctl is variadic, which Swift cannot call. The tool and the REPL become the reapers of the
// lesson processes they start (Reaper.swift): an orphan is re-parented to them, not to init.
int cpc_become_subreaper(void);
