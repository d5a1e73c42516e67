// Timings: where the time of a verify or build went (`--timings`).

import Foundation

/// Seconds per stage of a verify or build. swiftc and the lesson programs are summed over lessons
/// (two run at a time); everything else is the tool's own work.
public struct Timings: Sendable {
    public var wall = 0.0
    public var loadAndParse = 0.0
    public var compile = 0.0
    public var programs = 0.0
    /// Per lesson, outside swiftc and the program: writing the source, spawning, reading the
    /// output, cache lookups and stores, checking the results (summed over lessons).
    public var lessonOverhead = 0.0
    public var render = 0.0
    public var writeSite = 0.0
    public var lessons = 0, cached = 0
    /// Lessons run at a time.
    public var jobs = 1

    /// The tool's own seconds: everything but swiftc and the lesson programs.
    public var own: Double { loadAndParse + lessonOverhead + render + writeSite }

    public var rendered: String {
        func row(_ name: String, _ v: Double, _ note: String = "") -> String {
            name.padding(toLength: 24, withPad: " ", startingAt: 0) + String(format: "%8.3f s", v) + (note.isEmpty ? "" : "  " + note) + "\n"
        }
        let run = lessons - cached
        return "timings (\(lessons) lesson(s), \(cached) from the cache):\n"
            + row("  load + parse", loadAndParse)
            + row("  swiftc", compile, "summed over \(run) compiled lesson(s), \(jobs) at a time")
            + row("  lesson programs", programs, "summed")
            + row("  per-lesson overhead", lessonOverhead, "summed: source, spawn, output, cache, checks")
            + row("  render", render)
            + row("  write site", writeSite)
            + row("  tool's own", own, String(format: "%.1f%% of all the work (own + swiftc + programs)",
                                              own > 0 ? 100 * own / (own + compile + programs) : 0))
            + row("  wall", wall)
    }
}
