import Foundation

/// One reply of an FTP server on the control connection: a three-digit code and its text,
/// which may span several lines (`211-Features:` … `211 End`).
struct FTPReply: Sendable, Hashable, CustomStringConvertible {
    /// The reply code (`213`, `550`).
    var code: Int
    /// Every line of the reply as received, the first one with its code.
    var lines: [String]

    /// The text of the last line without the code (`Could not get file size.`).
    var text: String {
        guard let last = lines.last else { return "" }
        return last.count > 4 ? String(last.dropFirst(4)) : ""
    }

    /// The lines between the first and the last of a multi-line reply (FEAT features, MLST
    /// facts), as sent, leading space included.
    var innerLines: [String] { lines.count > 2 ? Array(lines[1..<(lines.count - 1)]) : [] }

    var isSuccess: Bool { (200..<400).contains(code) }

    var description: String { lines.last ?? "\(code)" }

    /// Groups server lines into replies (RFC 959 §4.2): a line `DDD text` is a whole reply, a
    /// line `DDD-text` opens one that ends at the next line starting with the same `DDD `.
    /// Lines that belong to no reply (libcurl's own `Content-Length:` pseudo-headers) are skipped.
    static func parse(_ lines: [String]) -> [FTPReply] {
        var replies: [FTPReply] = []
        var open: FTPReply?
        for line in lines {
            if var current = open {
                current.lines.append(line)
                if let code = leadingCode(line), code == current.code, line.utf8.count == 3 || line.utf8.dropFirst(3).first == UInt8(ascii: " ") {
                    replies.append(current)
                    open = nil
                } else {
                    open = current
                }
                continue
            }
            guard let code = leadingCode(line) else { continue }
            let separator = line.utf8.dropFirst(3).first
            if separator == UInt8(ascii: "-") {
                open = FTPReply(code: code, lines: [line])
            } else if separator == nil || separator == UInt8(ascii: " ") {
                replies.append(FTPReply(code: code, lines: [line]))
            }
        }
        if let open { replies.append(open) }
        return replies
    }

    /// The replies to the commands a request sent first (`CurlRequest.ftpCommands`).
    ///
    /// On a new connection the server lines begin with the greeting and the login (`220`,
    /// `331`, `230`, with FTPS `234` and `200` for PBSZ/PROT, then `257` for libcurl's `PWD`);
    /// on a reused connection they begin with the first command's reply.
    ///
    /// - Parameters:
    ///   - lines: `CurlResponse.serverLines`.
    ///   - count: how many commands the request sent.
    static func commandReplies(in lines: [String], count: Int) -> [FTPReply] {
        let replies = parse(lines)
        var start = 0
        if replies.first?.code == 220, let login = replies.firstIndex(where: { $0.code == 230 }) {
            start = login + 1
            if let pwd = replies[start...].firstIndex(where: { $0.code == 257 }) { start = pwd + 1 }
        }
        guard start < replies.count else { return [] }
        return Array(replies[start..<min(replies.count, start + count)])
    }

    /// The code of a line that starts with three digits, the first from 1 to 6.
    private static func leadingCode(_ line: String) -> Int? {
        let bytes = Array(line.utf8.prefix(3))
        let digits = UInt8(ascii: "0")...UInt8(ascii: "9")
        guard bytes.count == 3, bytes.allSatisfy({ digits.contains($0) }),
              (UInt8(ascii: "1")...UInt8(ascii: "6")).contains(bytes[0]) else { return nil }
        return bytes.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
    }
}

/// What the server said it can do in its `FEAT` reply (RFC 2389), plus what probing found.
struct FTPFeatures: Sendable, Hashable {
    /// Feature names, upper-cased (`MLST`, `MFMT`, `MDTM`, `SIZE`, `REST`, `UTF8`).
    var names: Set<String> = []
    /// `MDTM YYYYMMDDHHMMSS path` sets the time (vsftpd with `mdtm_write=YES`).
    var mdtmSetsTime = false

    var hasMLST: Bool { names.contains("MLST") }
    var hasMFMT: Bool { names.contains("MFMT") }
    var hasMDTM: Bool { names.contains("MDTM") }

    /// Parses the lines of a `211-` FEAT reply; each feature line starts with a space.
    static func parse(_ reply: FTPReply) -> FTPFeatures {
        var f = FTPFeatures()
        guard reply.code == 211 else { return f }
        for line in reply.innerLines {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard let name = trimmed.split(separator: " ").first else { continue }
            f.names.insert(name.uppercased())
        }
        return f
    }
}

/// The `YYYYMMDDHHMMSS[.sss]` time values of MDTM, MFMT and MLSD `modify=` facts, always UTC
/// (RFC 3659 §2.3).
enum FTPTime {
    /// Parses `20240102030405` or `20240102030405.123`; nil when malformed.
    static func parse<S: StringProtocol>(_ text: S) -> Date? {
        let s = text.trimmingCharacters(in: .whitespaces)
        let parts = s.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let digits = Array(parts[0].utf8)
        guard digits.count == 14, digits.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else { return nil }
        func number(_ from: Int, _ length: Int) -> Int {
            digits[from..<(from + length)].reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        }
        var fraction = 0.0
        if parts.count == 2 {
            guard !parts[1].isEmpty, parts[1].utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
                  let f = Double("0." + parts[1]) else { return nil }
            fraction = f
        }
        guard let date = utcDate(year: number(0, 4), month: number(4, 2), day: number(6, 2),
                                 hour: number(8, 2), minute: number(10, 2), second: number(12, 2)) else { return nil }
        return date.addingTimeInterval(fraction)
    }

    /// `20240102030405` for a date, truncated to the second (what MDTM/MFMT accept).
    static func format(_ date: Date) -> String {
        let seconds = Int64(floor(date.timeIntervalSince1970))
        let c = utcCalendar.dateComponents([.year, .month, .day, .hour, .minute, .second],
                                           from: Date(timeIntervalSince1970: TimeInterval(seconds)))
        return String(format: "%04d%02d%02d%02d%02d%02d", c.year ?? 1970, c.month ?? 1, c.day ?? 1,
                      c.hour ?? 0, c.minute ?? 0, c.second ?? 0)
    }

    /// A date from UTC fields, nil when they are out of range (month 13, day 32).
    static func utcDate(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) -> Date? {
        guard (1...12).contains(month), (1...31).contains(day), (0...23).contains(hour), (0...59).contains(minute),
              (0...60).contains(second) else { return nil }
        let c = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        guard let date = utcCalendar.date(from: c) else { return nil }
        // Reject dates the calendar rolled over (February 30 → March 2).
        let back = utcCalendar.dateComponents([.month, .day], from: date)
        guard back.month == month, back.day == day else { return nil }
        return date
    }

    static let utcCalendar: Calendar = {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = TimeZone(identifier: "UTC") ?? TimeZone(secondsFromGMT: 0) ?? c.timeZone
        return c
    }()
}
