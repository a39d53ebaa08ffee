import Foundation

/// A one-line progress bar on standard error: `label [█████░░░░] 512/1000  41.3/s  ETA 0:12  extra`.
///
/// Redrawn in place with a carriage return, at most ten times a second; silent when standard
/// error is not a terminal unless `force` is set, so logs stay clean (a final line is always
/// written by `finish`).
public final class ProgressBar {
    public let label: String
    public let total: Int
    private var start = Stopwatch()
    private var lastDraw = -1.0
    private let interactive: Bool

    public init(label: String, total: Int, force: Bool = false) {
        self.label = label
        self.total = max(total, 1)
        interactive = force || isatty(FileHandle.standardError.fileDescriptor) != 0
    }

    /// Reports `done` items finished; `extra` is appended (e.g. "loss 0.412 acc 0.87").
    public func update(_ done: Int, extra: String = "") {
        let now = start.seconds
        guard interactive, now - lastDraw >= 0.1 || done >= total else { return }
        lastDraw = now
        FileHandle.standardError.write(("\r" + line(done, extra: extra) + "\u{1B}[K").data(using: .utf8)!)
    }

    /// Starts counting again from zero (e.g. a new epoch).
    public func restart() {
        start = Stopwatch()
        lastDraw = -1
    }

    /// Draws the final state and ends the line.
    public func finish(_ done: Int? = nil, extra: String = "") {
        let text = line(done ?? total, extra: extra)
        FileHandle.standardError.write(((interactive ? "\r" : "") + text + (interactive ? "\u{1B}[K" : "") + "\n").data(using: .utf8)!)
    }

    func line(_ done: Int, extra: String) -> String {
        let fraction = min(1, Double(done) / Double(total))
        let width = 24
        let filled = Int((fraction * Double(width)).rounded(.down))
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        let elapsed = start.seconds
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let remaining = rate > 0 ? Double(total - done) / rate : 0
        return "\(label) [\(bar)] \(done)/\(total)  \(String(format: "%.1f", rate))/s  ETA \(Self.clock(remaining))"
            + (extra.isEmpty ? "" : "  " + extra)
    }

    /// h:mm:ss or m:ss.
    public static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}
