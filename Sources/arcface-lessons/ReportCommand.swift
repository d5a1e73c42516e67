// `arcface-lessons report merge`: the JUnit reports of a sharded verify as one.

import ArgumentParser
import Foundation
import LessonKit

extension ArcFaceLessons {
    struct ReportCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "report",
            abstract: "Work with verify's reports.",
            subcommands: [Merge.self])

        struct Merge: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Merge the JUnit files of `verify --shard K/N --junit FILE` runs into one.",
                discussion: "Prints the merged tally. Exit status: 0 no failure in any shard, 1 a shard failed, 2 a file is missing or not verify's JUnit.")

            @Option(name: [.short, .long], help: "Where to write the merged report.")
            var output: String

            @Argument(help: "The shards' JUnit files.")
            var files: [String]

            func validate() throws {
                if files.isEmpty { throw ValidationError("name the shards' JUnit files") }
            }

            func run() throws {
                do {
                    var reports: [(path: String, text: String)] = []
                    for f in files {
                        guard let text = try? String(contentsOfFile: f, encoding: .utf8) else {
                            throw EnvironmentError("cannot read '\(f)'", hint: "give the files `verify --junit FILE` wrote")
                        }
                        reports.append((f, text))
                    }
                    let merged = try JUnitMerge.merge(reports)
                    do { try Data(merged.xml.utf8).write(to: URL(fileURLWithPath: output), options: .atomic) } catch {
                        throw EnvironmentError("cannot write '\(output)': \(error.localizedDescription)")
                    }
                    print("\(merged.tests - merged.failures - merged.skipped) passed, \(merged.failures) failed"
                          + (merged.skipped > 0 ? ", \(merged.skipped) not run" : "") + " (\(files.count) shards)")
                    Foundation.exit(merged.failures == 0 ? 0 : 1)
                } catch {
                    environmentFailure(error)
                }
            }
        }
    }
}
