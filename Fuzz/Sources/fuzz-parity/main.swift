// The parity reader: arbitrary bytes as a reference file, decoded and every case evaluated with
// ArcFaceKit (docs/parity.md: never a crash, whatever the JSON).

import Foundation
import FuzzSupport
import Parity

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzParity(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = FuzzInput(data, size)
    let file: ParityFile
    do {
        file = try ParityFile.decode(Data(input.bytes))
    } catch {
        require(!error.description.isEmpty, "an empty file error")
        return 0
    }
    let report = ParityRunner.run(file)
    require(report.results.count == file.cases.count, "\(file.cases.count) cases, \(report.results.count) results")
    for r in report.results where r.status == .error {
        require(r.error.map { !$0.isEmpty } ?? false, "an ERROR without a message")
    }
    require(report.lines.last == report.summary, "the report does not end with its summary")
    return 0
}

runFuzzer { fuzzParity($0, $1) }
