import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive claim on an output folder for the life of a process: two `vitrel compare`
/// runs into one `--out` would interleave their rows and leave a folder the next run refuses
/// (issue found by running two at once). The claim is an `flock(2)` on `<folder>/.vitrel.lock`,
/// which the kernel drops when the process ends however it ends (SIGKILL included), so a
/// killed run never leaves a stale lock behind; the file holds the owner's pid for the message.
///
/// Shards of one run (`--shard K/N`) write the folder together: each holds the folder's lock
/// in shared mode, so they exclude a whole run (exclusive) but not each other, and its own
/// shard's lock file exclusively, so the same shard is never run twice at once.
public final class OutputFolderLock {
    public let url: URL
    private let descriptor: Int32

    public enum Mode: Sendable {
        /// One writer: a whole run. Excludes every other holder.
        case exclusive
        /// One of several cooperating writers (the shards of a run). Excludes exclusive holders.
        case shared
    }

    /// Claims `folder` through its lock file `fileName` (created when missing), trying for
    /// `patience` seconds, or throws `Failure.busy` / `.shardsRunning` when another process
    /// holds it, or `.unavailable` when the file cannot be opened.
    public init(folder: URL, fileName: String = ".vitrel.lock", mode: Mode = .exclusive, patience: Double = 0.5) throws {
        url = folder.appendingPathComponent(fileName)
        let fd = open(url.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw Failure.unavailable(path: url.path, reason: String(cString: strerror(errno))) }
        // Tries every 50 ms: a status probe (`isHeldExclusively`) holds a file for an instant.
        var claimed = false
        let attempts = max(1, Int(patience / 0.05))
        for attempt in 0..<attempts {
            if flock(fd, (mode == .exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) == 0 { claimed = true; break }
            if attempt < attempts - 1 { usleep(50_000) }
        }
        guard claimed else {
            // Held in shared mode (shards) when a shared claim would succeed.
            if mode == .exclusive, flock(fd, LOCK_SH | LOCK_NB) == 0 {
                close(fd)
                throw Failure.shardsRunning(folder: folder.path)
            }
            var buffer = [UInt8](repeating: 0, count: 32)
            let count = pread(fd, &buffer, buffer.count, 0)
            close(fd)
            let owner = count > 0 ? String(decoding: buffer.prefix(count), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : "?"
            throw Failure.busy(folder: folder.path, pid: owner)
        }
        descriptor = fd
        // Shared holders leave the file alone: several of them would overwrite each other.
        if mode == .exclusive {
            let pid = "\(getpid())\n"
            _ = ftruncate(fd, 0)
            _ = pid.withCString { pwrite(fd, $0, strlen($0), 0) }
        }
    }

    /// Whether some process holds the lock file at `url` exclusively (a whole run, or a shard
    /// on its own shard's file); false when the file does not exist. Probes with a shared
    /// claim dropped at once, which another claimant's retries outlast.
    public static func isHeldExclusively(_ url: URL) -> Bool {
        let fd = open(url.path, O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        guard flock(fd, LOCK_SH | LOCK_NB) == 0 else { return true }
        flock(fd, LOCK_UN)
        return false
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }

    public enum Failure: Error, CustomStringConvertible, Equatable {
        case busy(folder: String, pid: String)
        case shardsRunning(folder: String)
        case unavailable(path: String, reason: String)

        public var description: String {
            switch self {
            case .busy(let folder, let pid):
                return "\(folder): another vitrel run (pid \(pid)) is writing this folder; wait for it to finish or choose another --out"
            case .shardsRunning(let folder):
                return "\(folder): shards of a run (--shard) are still writing this folder; wait for them to finish (`vitrel shards \(folder)` shows which)"
            case .unavailable(let path, let reason):
                return "\(path): cannot create the output lock (\(reason))"
            }
        }
    }
}
