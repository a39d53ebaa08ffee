import Foundation
import VitRelFuzzing

// vitrel-fuzz: a seeded mutation fuzzer of the built `vitrel` (model folders, images,
// command lines). `make fuzz SEED=… DURATION=…`; `make test` runs it for a minute with a
// fixed seed. Exit 1 when it finds a crash, trap, hang, abort, a status outside the
// convention or a non-finite number printed; each finding is written to
// Tests/VitRelTests/Fixtures/fuzz/ as a case the test suite replays.

var options = ["--seed": "1", "--duration": "60", "--timeout": "20",
               "--executable": ".build/release/vitrel", "--fixtures": "Tests/VitRelTests/Fixtures", "--findings": ""]
var arguments = Array(CommandLine.arguments.dropFirst())
while !arguments.isEmpty {
    let flag = arguments.removeFirst()
    guard options[flag] != nil, !arguments.isEmpty else {
        FileHandle.standardError.write(Data("usage: vitrel-fuzz [--seed N] [--duration SECONDS] [--timeout SECONDS] [--executable PATH] [--fixtures DIR] [--findings DIR]\n".utf8))
        exit(64)
    }
    options[flag] = arguments.removeFirst()
}
guard let seed = UInt64(options["--seed"]!), let duration = Double(options["--duration"]!), let timeout = Double(options["--timeout"]!),
      duration >= 0, timeout > 0 else {
    FileHandle.standardError.write(Data("vitrel-fuzz: error: --seed must be a whole number, --duration and --timeout positive seconds\n".utf8))
    exit(64)
}
let executable = URL(fileURLWithPath: options["--executable"]!)
guard FileManager.default.isExecutableFile(atPath: executable.path) else {
    FileHandle.standardError.write(Data("vitrel-fuzz: error: \(executable.path): not an executable (build vitrel first)\n".utf8))
    exit(1)
}
var campaign = FuzzCampaign(
    executable: executable, fixtures: URL(fileURLWithPath: options["--fixtures"]!), seed: seed, duration: duration, timeout: timeout,
    findings: options["--findings"]!.isEmpty ? nil : URL(fileURLWithPath: options["--findings"]!),
    log: { FileHandle.standardError.write(Data(($0 + "\n").utf8)) })
do {
    let summary = try campaign.run()
    print("vitrel-fuzz: seed \(seed), \(summary.cases) cases in \(Int(duration)) s (\(summary.endingsDescription)), \(summary.findings.count) finding(s)"
          + (summary.findings.isEmpty ? "" : ": written to \(campaign.findings.path)/{\(summary.findings.joined(separator: ","))}"))
    exit(summary.findings.isEmpty ? 0 : 1)
} catch {
    FileHandle.standardError.write(Data("vitrel-fuzz: error: \(error)\n".utf8))
    exit(1)
}
