import Foundation

/// Runs the built `vitrel` on a case and says what is wrong with how it ended: the fuzzer's
/// verdict and the regression tests' (README, "Errors and exit status": 0, 1, 2 or 64, one
/// `vitrel: error:` line on failure, never a signal, a hang or a non-finite number printed).
public enum FuzzOracle {
    public struct Outcome: Sendable {
        public var status: Int32
        /// The signal that ended the process (a trap, an abort, a segfault), if one did.
        public var signal: Int32?
        public var timedOut: Bool
        public var stdout: String
        public var stderr: String
        public var seconds: Double
    }

    /// Runs `executable arguments` in `directory`, killing it after `timeout` seconds.
    public static func run(executable: URL, arguments: [String], directory: URL, timeout: Double) throws -> Outcome {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var environment = ProcessInfo.processInfo.environment
        environment["VITREL_MODEL"] = nil
        process.environment = environment
        // Files, not pipes: a chatty child cannot block on a full pipe.
        let outURL = directory.appendingPathComponent(".stdout"), errURL = directory.appendingPathComponent(".stderr")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        defer {
            try? out.close()
            try? err.close()
        }
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        let started = Date()
        try process.run()
        var timedOut = false
        if finished.wait(timeout: .now() + timeout) == .timedOut {
            timedOut = true
            kill(process.processIdentifier, SIGKILL)
            finished.wait()
        }
        let seconds = Date().timeIntervalSince(started)
        // Only the first 64 KB are judged (a runaway printer is caught by its exit or the timeout).
        func text(_ url: URL) -> String {
            String(decoding: ((try? Data(contentsOf: url)) ?? Data()).prefix(65_536), as: UTF8.self)
        }
        let signalled = process.terminationReason == .uncaughtSignal
        return Outcome(
            status: signalled ? 0 : process.terminationStatus, signal: signalled ? process.terminationStatus : nil,
            timedOut: timedOut, stdout: text(outURL), stderr: text(errURL), seconds: seconds)
    }

    /// Exit statuses of the convention: success, failure, a conservation check that failed,
    /// a wrong command line.
    public static let allowedStatuses: Set<Int32> = [0, 1, 2, 64]

    /// What is wrong with `outcome`, or nil. `classNames` are the model's (a class may be
    /// called "nan" without that being a non-finite number).
    public static func problem(_ outcome: Outcome, timeout: Double, classNames: Set<String> = []) -> String? {
        if outcome.timedOut { return "hang: still running after \(Int(timeout)) s" }
        if let signal = outcome.signal { return "crash: signal \(signal) (\(signalName(signal)))" }
        if outcome.stderr.contains("Fatal error") { return "crash: Swift runtime fatal error" }
        if !allowedStatuses.contains(outcome.status) { return "exit status \(outcome.status), outside 0, 1, 2, 64" }
        if outcome.status != 0 && outcome.status != 2 && !outcome.stderr.contains("vitrel: error: ") {
            return "exit \(outcome.status) without a `vitrel: error:` line"
        }
        if let token = nonFiniteToken(in: outcome.stdout, except: classNames) { return "non-finite number printed: \(token)" }
        return nil
    }

    /// The first word of `text` that is a non-finite number as Swift, C or JSON print it.
    public static func nonFiniteToken(in text: String, except names: Set<String> = []) -> String? {
        // Not split at ":" — a path such as "border:nan" is no number — but a leading or
        // trailing colon is dropped, so compact JSON ("p":nan) is still read.
        let separators = CharacterSet.whitespacesAndNewlines.union(CharacterSet(charactersIn: ",;[]{}()\"'=|"))
        for word in text.components(separatedBy: separators) where !word.isEmpty && !names.contains(word) {
            let lowered = word.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "+-:"))
            if ["nan", "inf", "infinity", "nan(0x0)"].contains(lowered) || lowered.hasPrefix("nan(") { return word }
        }
        return nil
    }

    static func signalName(_ signal: Int32) -> String {
        switch signal {
        case SIGTRAP: return "SIGTRAP: a Swift trap"
        case SIGILL: return "SIGILL: a Swift trap"
        case SIGABRT: return "SIGABRT: abort"
        case SIGSEGV: return "SIGSEGV"
        case SIGBUS: return "SIGBUS"
        case SIGKILL: return "SIGKILL: out of memory?"
        case SIGFPE: return "SIGFPE"
        default: return "signal \(signal)"
        }
    }
}
