import DCTCCore
import Foundation

/// One entry of a directory listing, as an FTP server described it.
public struct FTPListEntry: Sendable, Hashable {
    /// How exact `modificationTime` is.
    public enum TimePrecision: Sendable, Hashable {
        /// MLSD `modify=` facts: to the second or better (UTC by RFC 3659).
        case second
        /// `ls -l` style `Mon DD HH:MM` (recent files): to the minute, in the server's time
        /// zone, taken as UTC.
        case minute
        /// `ls -l` style `Mon DD  YYYY` (files older than about six months): to the day.
        case day
    }

    public var name: String
    public var kind: FileInfo.Kind
    public var size: Int64?
    public var modificationTime: Date?
    public var timePrecision: TimePrecision
    /// The target of a symbolic link (`name -> target` in LIST output), when shown.
    public var symlinkTarget: String?
    /// POSIX permission bits (from `-rw-r--r--` or MLSD `unix.mode`).
    public var mode: UInt32?

    public init(name: String, kind: FileInfo.Kind, size: Int64? = nil, modificationTime: Date? = nil,
                timePrecision: TimePrecision = .second, symlinkTarget: String? = nil, mode: UInt32? = nil) {
        self.name = name
        self.kind = kind
        self.size = size
        self.modificationTime = modificationTime
        self.timePrecision = timePrecision
        self.symlinkTarget = symlinkTarget
        self.mode = mode
    }
}

/// Parses Unix-style `LIST` lines, as vsftpd, ProFTPD, Pure-FTPd and most others send them:
///
///     -rw-r--r--    1 1000     1000         6 Nov 21 06:34 name with spaces
///     drwxr-xr-x    2 ftp      ftp       4096 Jan 02  2020 dir
///     lrwxrwxrwx    1 owner    group        7 Mar  1 12:00 link -> target
///
/// The name is everything after the single space that follows the time (or year) column, so
/// names with leading, inner or trailing spaces survive. The date is found by its shape (month
/// name, day, `HH:MM` or year), which tolerates a missing group column or owner names with
/// digits. Times are coarse: `HH:MM` entries carry no year (it is inferred: the latest year that
/// does not put the date more than a day after `now`) and year entries carry no time of day.
/// Both are read as UTC, since LIST does not say which zone the server uses.
public enum FTPListParser {
    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    /// Parses one line; nil for lines that describe no entry (`total 16`, blank lines) and
    /// for the `.` and `..` entries.
    ///
    /// - Parameters:
    ///   - line: one line of the listing, without its line break.
    ///   - now: the current time, for the year of `Mon DD HH:MM` entries.
    public static func parse(_ line: String, now: Date) -> FTPListEntry? {
        let bytes = Array(line.utf8)
        guard let first = bytes.first else { return nil }
        let kind: FileInfo.Kind
        switch first {
        case UInt8(ascii: "-"): kind = .file
        case UInt8(ascii: "d"): kind = .directory
        case UInt8(ascii: "l"): kind = .symlink
        case UInt8(ascii: "b"), UInt8(ascii: "c"), UInt8(ascii: "p"), UInt8(ascii: "s"): kind = .other
        default: return nil
        }
        // Tokens as (start, end) byte offsets, split on runs of spaces.
        var tokens: [(Int, Int)] = []
        var i = 0
        while i < bytes.count && tokens.count < 12 {
            while i < bytes.count && bytes[i] == UInt8(ascii: " ") { i += 1 }
            guard i < bytes.count else { break }
            let start = i
            while i < bytes.count && bytes[i] != UInt8(ascii: " ") { i += 1 }
            tokens.append((start, i))
        }
        func text(_ t: (Int, Int)) -> String { String(decoding: bytes[t.0..<t.1], as: UTF8.self) }
        // Find "Mon DD TIME" with a size just before it, scanning from the left.
        guard tokens.count >= 5 else { return nil }
        for m in 2..<(tokens.count - 2) {
            guard let month = months.firstIndex(of: text(tokens[m]).lowercased()),
                  let day = Int(text(tokens[m + 1])), (1...31).contains(day),
                  let size = Int64(text(tokens[m - 1])), size >= 0 else { continue }
            let timeToken = text(tokens[m + 2])
            let (date, precision): (Date?, FTPListEntry.TimePrecision)
            if timeToken.contains(":") {
                let hm = timeToken.split(separator: ":")
                guard hm.count == 2, let h = Int(hm[0]), let mi = Int(hm[1]) else { continue }
                date = inferYear(month: month + 1, day: day, hour: h, minute: mi, now: now)
                precision = .minute
            } else if let year = Int(timeToken), (1900...9999).contains(year) {
                date = FTPTime.utcDate(year: year, month: month + 1, day: day, hour: 0, minute: 0, second: 0)
                precision = .day
            } else {
                continue
            }
            // The name starts after exactly one space past the time column.
            let nameStart = tokens[m + 2].1 + 1
            guard nameStart < bytes.count else { return nil }
            var name = String(decoding: bytes[nameStart...], as: UTF8.self)
            var target: String?
            if kind == .symlink, let arrow = name.range(of: " -> ") {
                target = String(name[arrow.upperBound...])
                name = String(name[..<arrow.lowerBound])
            }
            guard !name.isEmpty, name != ".", name != ".." else { return nil }
            return FTPListEntry(name: name, kind: kind, size: kind == .directory ? nil : size,
                                modificationTime: date, timePrecision: precision, symlinkTarget: target,
                                mode: permissions(Array(bytes[tokens[0].0..<tokens[0].1])))
        }
        return nil
    }

    /// `Mon DD HH:MM` has no year: take the current one, or the previous one when that would put
    /// the date more than a day in the future (servers show this form for the last six months).
    static func inferYear(month: Int, day: Int, hour: Int, minute: Int, now: Date) -> Date? {
        let year = FTPTime.utcCalendar.component(.year, from: now)
        for y in [year, year - 1] {
            // Feb 29 does not exist every year: skip years that reject the date.
            guard let d = FTPTime.utcDate(year: y, month: month, day: day, hour: hour, minute: minute, second: 0) else { continue }
            if d.timeIntervalSince(now) <= 86_400 { return d }
        }
        return FTPTime.utcDate(year: year - 1, month: month, day: day, hour: hour, minute: minute, second: 0)
    }

    /// `rwxr-xr-x` (the 9 characters after the type) as mode bits, with setuid/setgid/sticky.
    static func permissions(_ field: [UInt8]) -> UInt32? {
        guard field.count >= 10 else { return nil }
        let p = Array(field[1..<10])
        var mode: UInt32 = 0
        let bits: [UInt32] = [0o400, 0o200, 0o100, 0o040, 0o020, 0o010, 0o004, 0o002, 0o001]
        for (i, c) in p.enumerated() {
            switch c {
            case UInt8(ascii: "r"), UInt8(ascii: "w"), UInt8(ascii: "x"): mode |= bits[i]
            case UInt8(ascii: "s"): mode |= bits[i] | (i == 2 ? 0o4000 : 0o2000)
            case UInt8(ascii: "S"): mode |= (i == 2 ? 0o4000 : 0o2000)
            case UInt8(ascii: "t"): mode |= bits[i] | 0o1000
            case UInt8(ascii: "T"): mode |= 0o1000
            case UInt8(ascii: "-"): break
            default: return nil
            }
        }
        return mode
    }
}
