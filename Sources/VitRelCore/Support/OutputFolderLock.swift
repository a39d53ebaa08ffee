import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive claim on an output folder for the life of a process: two `vitrel compare`
/// runs into one `--out` would interleave their rows and leave a folder the next run refuses
/// (issue found by running two at once). The claim is an `flock(2)` on `<folder>/.vitrel.lock`,
/// which the kernel drops when the process ends however it ends (SIGKILL included), so a
/// killed run never leaves a stale lock behind; the file holds the owner's pid for the message.
public final class OutputFolderLock {
    public let url: URL
    private let descriptor: Int32

    /// Claims `folder` (creating the lock file), or throws `OutputFolderLock.Busy` when
    /// another process holds it, or `.unavailable` when the file cannot be opened.
    public init(folder: URL) throws {
        url = folder.appendingPathComponent(".vitrel.lock")
        let fd = open(url.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw Failure.unavailable(path: url.path, reason: String(cString: strerror(errno))) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            var buffer = [UInt8](repeating: 0, count: 32)
            let count = pread(fd, &buffer, buffer.count, 0)
            close(fd)
            let owner = count > 0 ? String(decoding: buffer.prefix(count), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : "?"
            throw Failure.busy(folder: folder.path, pid: owner)
        }
        descriptor = fd
        let pid = "\(getpid())\n"
        _ = ftruncate(fd, 0)
        _ = pid.withCString { pwrite(fd, $0, strlen($0), 0) }
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }

    public enum Failure: Error, CustomStringConvertible, Equatable {
        case busy(folder: String, pid: String)
        case unavailable(path: String, reason: String)

        public var description: String {
            switch self {
            case .busy(let folder, let pid):
                return "\(folder): another vitrel run (pid \(pid)) is writing this folder; wait for it to finish or choose another --out"
            case .unavailable(let path, let reason):
                return "\(path): cannot create the output lock (\(reason))"
            }
        }
    }
}
