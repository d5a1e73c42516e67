// Small string helpers for the render and cache paths. Foundation's replacingOccurrences and
// regular expressions go through NSString/ICU on Linux and were most of a warm build's time.

extension String {
    /// Every occurrence of `target` replaced by `replacement`, compared byte for byte (UTF-8).
    func replacingLiteral(_ target: String, with replacement: String) -> String {
        let s = Array(utf8), t = Array(target.utf8)
        guard !t.isEmpty, s.count >= t.count else { return self }
        var out: [UInt8] = []
        var i = 0, copied = 0
        while i + t.count <= s.count {
            if s[i] == t[0] && s[i..<(i + t.count)].elementsEqual(t) {
                out.append(contentsOf: s[copied..<i])
                out.append(contentsOf: replacement.utf8)
                i += t.count
                copied = i
            } else {
                i += 1
            }
        }
        guard copied > 0 else { return self }
        out.append(contentsOf: s[copied...])
        return String(decoding: out, as: UTF8.self)
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

extension String {
    /// Control characters written as visible escapes (`\u{1B}`), for reports read in terminals, CI
    /// logs and XML: a cell's ESC would drive the terminal, NUL or \u{1E} make XML 1.0 ill-formed,
    /// and a CR could forge a GitHub annotation line. Newline and tab stay (`keeping`), as do all
    /// printable characters.
    public func visibleControls(keeping kept: Set<Unicode.Scalar> = ["\n", "\t"]) -> String {
        guard unicodeScalars.contains(where: { Self.isControl($0) && !kept.contains($0) }) else { return self }
        var out = ""
        for u in unicodeScalars {
            if Self.isControl(u) && !kept.contains(u) {
                out += "\\u{" + String(u.value, radix: 16, uppercase: true) + "}"
            } else {
                out.unicodeScalars.append(u)
            }
        }
        return out
    }

    /// C0, DEL and C1 controls, and the two characters XML 1.0 never allows (U+FFFE, U+FFFF).
    private static func isControl(_ u: Unicode.Scalar) -> Bool {
        u.value < 0x20 || (0x7F...0x9F).contains(u.value) || u.value == 0xFFFE || u.value == 0xFFFF
    }
}
