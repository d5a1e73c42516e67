// Small string helpers for the render and cache paths. Foundation's replacingOccurrences and
// regular expressions go through NSString/ICU on Linux and were most of a warm build's time.

extension String {
    /// Every occurrence of `target` replaced by `replacement`, compared byte for byte (UTF-8).
    func replacingLiteral(_ target: String, with replacement: String) -> String {
        let t = Array(target.utf8)
        guard let first = t.first else { return self }
        var out: [UInt8] = []
        var changed = false
        var utf8 = Array(self.utf8)
        utf8.withUnsafeMutableBufferPointer { s in
            var i = 0, copied = 0
            let n = s.count, m = t.count
            while i + m <= n {
                if s[i] == first && Array(s[i..<(i + m)]) == t {
                    if !changed { out.reserveCapacity(n); changed = true }
                    out.append(contentsOf: s[copied..<i])
                    out.append(contentsOf: replacement.utf8)
                    i += m
                    copied = i
                } else {
                    i += 1
                }
            }
            if changed { out.append(contentsOf: s[copied..<n]) }
        }
        return changed ? String(decoding: out, as: UTF8.self) : self
    }

    /// Runs of whitespace (spaces, tabs, line breaks, Unicode spaces) collapsed to one space.
    var collapsingWhitespace: String {
        var out = ""
        out.reserveCapacity(utf8.count)
        var inSpace = false
        for ch in self {
            if ch.isWhitespace {
                if !inSpace { out.append(" ") }
                inSpace = true
            } else {
                out.append(ch)
                inSpace = false
            }
        }
        return out
    }
}
