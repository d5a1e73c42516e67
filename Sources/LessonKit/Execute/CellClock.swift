// CellClock: the per-cell time limits, enforced while the lesson program runs.

import Foundation
import LessonRuntime

/// Watches a running lesson's output for cell markers and says when the running cell has used more
/// CPU time than its own limit, or waited past the wall-clock backstop.
final class CellClock: @unchecked Sendable {
    private var reader: RecordReader
    private let limits: [Double?]
    private var current: Int?
    private var started = Date()
    private var startedCPU = 0.0
    /// The cell that passed its limit, that limit, and whether only the wall-clock backstop caught it.
    private(set) var expired: (cell: Int, seconds: Double, stalled: Bool)?

    init(nonce: String, limits: [Double?]) {
        reader = RecordReader(nonce: nonce)
        self.limits = limits
    }

    var hasLimits: Bool { limits.contains { $0 != nil } }

    /// Called with each new chunk of output (or an empty one on a quiet tick) and the program's CPU
    /// seconds so far; true: kill now.
    func check(_ chunk: Data, cpu: Double) -> Bool {
        if !chunk.isEmpty {
            reader.append(chunk)
            while let piece = reader.next() {
                if case .record(.cell(let n)) = piece { current = n; started = Date(); startedCPU = cpu }
            }
            _ = reader.flush(final: false)   // only the records matter here
        }
        guard let c = current, c < limits.count, let limit = limits[c] else { return false }
        if cpu - startedCPU > limit {
            expired = (c, limit, false)
            return true
        }
        if Date().timeIntervalSince(started) > Subprocess.wallBackstop(limit) {
            expired = (c, limit, true)
            return true
        }
        return false
    }
}
