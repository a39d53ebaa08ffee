import ArgumentParser
import Foundation
import VitRel
import VitRelCompare

/// `vitrel shards DIR`: the progress of a sharded run, read from its output folder while the
/// shards run (the shards' own files; nothing is locked but for an instant).
struct ShardsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shards",
        abstract: "Progress of a sharded compare (--shard K/N): which shards run, are complete or stopped, and their rows.",
        discussion: """
            Reads DIR/shards/ (each shard's rows and record) and DIR/results.csv. A shard is \
            'running' while its process holds its lock, 'complete' when it ran to its end, \
            'stopped' when it started and did not finish (killed, pre-empted or failed: run it \
            again to continue), 'not started' when nothing of it is there yet. With --json, \
            'complete' says whether every shard has finished.
            """)

    @Argument(help: ArgumentHelp("The --out folder of the sharded compare.", valueName: "dir"))
    var folder: String

    @Flag(help: "Print JSON.")
    var json = false

    struct Report: Encodable {
        struct Row: Encodable {
            var shard: String
            var state: String
            var images: Int?
            var rows: Int
            var expectedRows: Int?
            var failures: Int
        }
        var folder: String
        var shards: [Row]
        var assembledRows: Int
        var complete: Bool
    }

    struct ExplainRow: Encodable {
        var shard: String
        var state: String
        var finishedImages: Int
    }

    func run() throws {
        let output = URL(fileURLWithPath: folder)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: output.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CLIError("\(folder): no such folder")
        }
        let shardFolder = ShardFolder(output: output)
        let status = try shardFolder.status()
        let explanations = shardFolder.explanationProgress()
        guard !status.isEmpty || !explanations.isEmpty else {
            throw CLIError("\(folder): no shard has written here (no shards/ folder with rows, records or explain ledgers)")
        }
        if status.isEmpty {
            // A sharded explain: its ledgers say how many images each shard finished.
            if json {
                print(try jsonString(explanations.map {
                    ExplainRow(shard: $0.shard.description, state: $0.running ? "running" : "not running", finishedImages: $0.finishedImages)
                }))
            } else {
                print("shard   state        finished images (explain)")
                for row in explanations {
                    print(row.shard.description.padding(toLength: 8, withPad: " ", startingAt: 0)
                        + (row.running ? "running" : "not running").padding(toLength: 13, withPad: " ", startingAt: 0)
                        + "\(row.finishedImages)")
                }
            }
            return
        }
        let assembled = Set(try ResultsFile.finishedRecords(at: output.appendingPathComponent("results.csv")).map(\.key)).count
        let report = Report(
            folder: output.path,
            shards: status.map {
                .init(shard: $0.shard.description, state: $0.state.rawValue, images: $0.images, rows: $0.rows,
                      expectedRows: $0.expectedRows, failures: $0.failures)
            },
            assembledRows: assembled, complete: status.allSatisfy { $0.state == .complete })
        if json {
            print(try jsonString(report))
        } else {
            print("shard   state        images  rows")
            for row in report.shards {
                let rows = row.expectedRows.map { "\(row.rows)/\($0)" } ?? "\(row.rows)"
                let failures = row.failures > 0 ? "  (\(row.failures) image\(row.failures == 1 ? "" : "s") failed)" : ""
                print(row.shard.padding(toLength: 8, withPad: " ", startingAt: 0)
                    + row.state.padding(toLength: 13, withPad: " ", startingAt: 0)
                    + (row.images.map(String.init) ?? "-").padding(toLength: 8, withPad: " ", startingAt: 0) + rows + failures)
            }
            let done = report.shards.filter { $0.state == "complete" }.count
            print("\(done) of \(report.shards.count) shards complete; results.csv holds \(assembled) assembled rows"
                + (report.complete && assembled == 0 ? " (run the same compare without --shard to assemble)" : ""))
        }
    }
}
