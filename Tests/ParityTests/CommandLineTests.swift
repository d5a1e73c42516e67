// `arcface-lessons parity FILE`: output and exit status 0 (every case passed), 1 (a case failed or could
// not be evaluated), 2 (no usable file).

import Foundation
import Testing

@Suite("The parity command")
struct ParityCommandTests {
    @Test("Exits 0 and prints one line per case and the summary when every case passes")
    func exitsZeroWhenEveryCasePasses() throws {
        let run = try Support.runTool(["parity", Support.fixture("passing.json")])
        #expect(run.status == 0)
        #expect(run.stdout == """
            ok    softmax-halves   output max abs 0.0e+00 rel 0.0e+00  grad.input max abs 0.0e+00 rel 0.0e+00
            ok    renorm-identity  output max abs 0.0e+00 rel 0.0e+00
            2 passed, 0 failed

            """)
        #expect(run.stderr.isEmpty)
    }

    @Test("Exits 1 when a value is wrong, naming the case")
    func exitsOneOnAWrongValue() throws {
        let run = try Support.runTool(["parity", Support.fixture("wrong-value.json")])
        #expect(run.status == 1)
        #expect(run.lines.contains { $0.hasPrefix("FAIL  softmax-wrong-value  output max abs 4.4e-02") })
        #expect(run.lines.last == "1 passed, 1 failed")
    }

    @Test("Exits 1, without crashing, for unknown ops and malformed cases")
    func exitsOneOnUnknownOpsAndMalformedCases() throws {
        for (fixture, summary) in [("unknown-op.json", "1 passed, 1 failed"), ("malformed.json", "1 passed, 19 failed")] {
            let run = try Support.runTool(["parity", Support.fixture(fixture)])
            #expect(run.status == 1, "\(fixture)")
            #expect(run.lines.last == summary, "\(fixture)")
        }
    }

    @Test("Exits 2 with a clear message for a missing file, invalid JSON or a file without cases", arguments: [
        ("/nonexistent/parity.json", "cannot read '/nonexistent/parity.json': no such file"),
        ("not-json.json", "is not valid JSON: Unexpected end of file during JSON parse."),
        ("top-level-array.json", "is not a parity reference file: the top level is an array, expected an object with \"cases\""),
        ("no-cases.json", "is not a parity reference file: the top-level object has no \"cases\""),
    ])
    func exitsTwoForAnUnusableFile(file: String, message: String) throws {
        let path = file.hasPrefix("/") ? file : Support.fixture(file)
        let run = try Support.runTool(["parity", path])
        #expect(run.status == 2)
        #expect(run.stdout.isEmpty)
        #expect(run.stderr.hasPrefix("arcface-lessons: error: "))
        #expect(run.stderr.contains(message))
    }

    @Test("Exits 2 when no file is given")
    func exitsTwoWithoutAFile() throws {
        let run = try Support.runTool(["parity"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("Missing expected argument '<file>'"))
    }
}
