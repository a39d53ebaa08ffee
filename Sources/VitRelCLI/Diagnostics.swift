import ArgumentParser
import Foundation
import VitRel

// One convention for everything vitrel says on standard error, and for its exit status
// (README, "Errors and exit status"):
//
//   vitrel: error: <file>: <problem>     the run fails, or will exit non-zero at the end
//   vitrel: warning: <what and why>      the run goes on and can still exit 0
//   other lines                          progress and what was written
//
// Exit 0: everything asked for was done. Exit 64 (EX_USAGE): the command line is wrong — an
// unknown flag, a missing or malformed value, an option value out of range (ArgumentParser's
// parse and validation errors, and `ValidationError`s vitrel throws once the model is known).
// Exit 1: anything else — a missing, unreadable or invalid file, a model that does not load,
// a result that cannot be computed or written, or input files skipped along the way. Never
// above 1 except 64, so a shell never mistakes vitrel's status for a signal (128 + n).

/// The prefix of every error line; ArgumentParser prints its own errors with it too
/// (`VitrelCommand._errorPrefix`).
let errorPrefix = "vitrel: error: "

/// A one-line runtime error for the user (exit 1); the message names the file when there is one.
struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Prints a line to standard error.
func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

/// Prints `vitrel: error: <message>` (folded to one line) to standard error.
func reportError(_ message: String) {
    printError(errorPrefix + oneLine(message))
}

/// Prints `vitrel: warning: <message>` (folded to one line) to standard error.
func reportWarning(_ message: String) {
    printError("vitrel: warning: " + oneLine(message))
}

private func oneLine(_ text: String) -> String {
    text.split(whereSeparator: \.isNewline).joined(separator: " ")
}

/// Input files a command could not use: each reported once, in one line, as it is met; the
/// command does the rest of its work and then exits 1 (`finish()`), as `predict` always has.
final class InputProblems {
    private(set) var paths = [String]()

    var count: Int { paths.count }
    var isEmpty: Bool { paths.isEmpty }

    /// Reports `path` unless it was reported already; `problem` may begin with the path.
    func report(_ path: String, _ problem: String) {
        guard !paths.contains(path) else { return }
        paths.append(path)
        let text = problem.hasPrefix(path + ":") ? problem : "\(path): \(problem)"
        reportError(text)
    }

    func report(_ skipped: SkippedFile) { report(skipped.url.path, skipped.description) }

    /// Exit 1 when anything was reported (after a one-line count).
    func finish() throws {
        guard !paths.isEmpty else { return }
        reportError("\(paths.count) input file\(paths.count == 1 ? "" : "s") could not be used (listed above)")
        throw ExitCode(1)
    }
}
