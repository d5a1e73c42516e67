// JUnitMerge: one JUnit report from the reports of a sharded verify (`verify --shard K/N --junit
// shard-K.xml` on each machine of a CI matrix, then `arcface-lessons report merge`).

import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

public enum JUnitMerge {
    public struct Merged: Sendable, Equatable {
        public var xml: String
        public var tests = 0, failures = 0, skipped = 0
    }

    /// Reads each report's root counts and keeps its `<testsuite>` elements as they are; a file that
    /// is not well-formed or whose root is not `<testsuites>` is an error naming it.
    public static func merge(_ reports: [(path: String, text: String)]) throws -> Merged {
        var merged = Merged(xml: "")
        var suites = ""
        for (path, text) in reports {
            let root = RootCounts()
            let parser = XMLParser(data: Data(text.utf8))
            parser.delegate = root
            guard parser.parse(), let counts = root.counts else {
                let why = parser.parserError.map { ": \($0.localizedDescription)" } ?? ": its root is not <testsuites>"
                throw EnvironmentError("'\(path)' is not a JUnit report of verify\(why)",
                                       hint: "give the files `verify --junit FILE` wrote")
            }
            merged.tests += counts.tests
            merged.failures += counts.failures
            merged.skipped += counts.skipped
            // The suites between the root's tags, exactly as verify wrote them.
            guard let open = text.range(of: "<testsuites"), let openEnd = text[open.upperBound...].firstIndex(of: ">"),
                  let close = text.range(of: "</testsuites>", options: .backwards) else { continue }
            let inner = text[text.index(after: openEnd)..<close.lowerBound]
            suites += inner.hasPrefix("\n") ? String(inner.dropFirst()) : String(inner)
        }
        merged.xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            + "<testsuites name=\"arcface-lessons verify\" tests=\"\(merged.tests)\" failures=\"\(merged.failures)\" skipped=\"\(merged.skipped)\">\n"
            + suites + "</testsuites>\n"
        return merged
    }

    private final class RootCounts: NSObject, XMLParserDelegate {
        var counts: (tests: Int, failures: Int, skipped: Int)?
        private var depth = 0
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            defer { depth += 1 }
            guard depth == 0 else { return }
            guard name == "testsuites" else { parser.abortParsing(); return }
            counts = (Int(attributes["tests"] ?? "") ?? 0, Int(attributes["failures"] ?? "") ?? 0, Int(attributes["skipped"] ?? "") ?? 0)
        }
        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) { depth -= 1 }
    }
}
