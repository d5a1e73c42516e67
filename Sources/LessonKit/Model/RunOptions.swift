// RunOptions: what a verify or build is asked to do (the CLI fills it from its flags).

import Foundation

public struct RunOptions: Sendable {
    public var lessonsDirectory = "lessons"
    /// Restrict `verify` to these lesson files (empty: all).
    public var files: [String] = []
    /// Lesson time limit overriding every lesson's own (`--timeout`).
    public var timeout: Double?
    /// Lesson time limit where the lesson sets none (course.yml's `timeout`; built in: 120 s).
    public var defaultTimeout: Double?
    /// Default per-cell time limit (`--cell-timeout`).
    public var cellTimeout: Double?
    /// Print `[i/n] lesson ... ok 0.8 s` lines (to stderr), normally only on a terminal.
    public var progress = false
    /// Where results are cached between runs; nil turns the cache off (`--no-cache`).
    public var cacheDirectory: String? = ".lessons-cache"
    /// Run only share K of N (1-based): the lessons at positions K, K+N, K+2N, ... of the course's
    /// order, so the shards of a CI matrix are disjoint and together the whole course.
    public var shard: (index: Int, count: Int)?
    /// How many lessons run at once (`--jobs`); default: the machine's cores.
    public var jobs = ProcessInfo.processInfo.activeProcessorCount
    /// The site's title, language, theme... (course.yml); what `build` renders with.
    public var site = SiteSettings.default
    /// Also check that http(s) links answer (`--check-external`); off by default: CI must not
    /// depend on the network.
    public var checkExternal = false
    /// Run the ```python cells (`--python`) with this interpreter (`Python.interpreter`); nil: they
    /// are counted as skipped.
    public var python: String?
    public init() {}
}
