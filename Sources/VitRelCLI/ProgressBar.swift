import Foundation

/// A one-line progress bar on standard error for long work (LIME's samples, many images):
/// `label [######......] 320/1000  32%  ETA 0:12`, redrawn in place.
///
/// Drawn only when standard error is a terminal, so logs, pipes and tests see just the
/// results and the one-line errors. Redraws at most ten times a second.
struct ProgressBar {
    let label: String
    let total: Int
    let isVisible: Bool
    private let started = Date()
    private var lastDrawn = Date.distantPast
    private var firstUpdate: (done: Int, time: Date)?
    private static let barWidth = 28

    /// Whether standard error is a terminal (where a redrawn line makes sense).
    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    init(label: String, total: Int, isVisible: Bool = stderrIsTerminal) {
        self.label = label
        self.total = max(total, 1)
        self.isVisible = isVisible
    }

    /// Shows `done` of `total`. The estimate extrapolates the rate since the first update, so
    /// set-up before the first step (LIME's segmentation) does not inflate it.
    mutating func update(_ done: Int) {
        guard isVisible else { return }
        let now = Date()
        if firstUpdate == nil { firstUpdate = (done, now) }
        guard done >= total || now.timeIntervalSince(lastDrawn) >= 0.1 else { return }
        lastDrawn = now
        var remaining: TimeInterval?
        if let first = firstUpdate, done > first.done, done < total {
            remaining = now.timeIntervalSince(first.time) / Double(done - first.done) * Double(total - done)
        }
        let line = Self.line(label: label, done: done, total: total, elapsed: now.timeIntervalSince(started), remaining: remaining)
        FileHandle.standardError.write(("\r" + line + "\u{1B}[K").data(using: .utf8)!)
    }

    /// Ends the bar's line.
    func finish() {
        guard isVisible else { return }
        FileHandle.standardError.write("\r\u{1B}[K".data(using: .utf8)!)
    }

    /// The text of the bar (without the carriage return): the estimate while running, the
    /// time taken once done.
    static func line(label: String, done: Int, total: Int, elapsed: TimeInterval, remaining: TimeInterval?) -> String {
        let fraction = min(max(Double(done) / Double(max(total, 1)), 0), 1)
        let filled = Int((fraction * Double(barWidth)).rounded(.down))
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: barWidth - filled)
        var text = "\(label) [\(bar)] \(done)/\(total) \(String(format: "%3.0f%%", fraction * 100))"
        if done < total, let remaining {
            text += "  ETA " + duration(remaining)
        } else if done >= total {
            text += "  " + duration(elapsed)
        }
        return text
    }

    /// m:ss, or h:mm:ss from an hour on.
    static func duration(_ seconds: TimeInterval) -> String {
        let whole = Int(seconds.rounded())
        let (h, m, s) = (whole / 3600, whole / 60 % 60, whole % 60)
        return h > 0 ? String(format: "%d:%02d:%02d", h, m, s) : String(format: "%d:%02d", m, s)
    }
}
