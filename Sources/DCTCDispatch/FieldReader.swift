/// Reads the fields of one record: split on the separator, and in CSV format unquoted
/// (a field that starts with `"` ends at the next lone `"`, and `""` inside it is one `"`;
/// anything after the closing quote up to the separator is kept, as lenient readers do).
struct FieldReader {
    let csv: Bool
    let separator: UInt8

    /// The bytes of field `index` (from 0), or nil when the record has fewer fields.
    func field(_ index: Int, of record: UnsafeRawBufferPointer) -> [UInt8]? {
        var found: [UInt8]?
        forEachField(of: record, collecting: { $0 == index }) { i, bytes in
            if i == index { found = bytes; return false }
            return true
        }
        return found
    }

    /// Every field of the record.
    func fields(of record: UnsafeRawBufferPointer) -> [[UInt8]] {
        var all: [[UInt8]] = []
        forEachField(of: record, collecting: { _ in true }) { _, bytes in all.append(bytes); return true }
        return all
    }

    /// The number of fields of the record.
    func count(of record: UnsafeRawBufferPointer) -> Int {
        var n = 0
        forEachField(of: record, collecting: { _ in false }) { _, _ in n += 1; return true }
        return n
    }

    /// Walks the fields in order, handing each to `body` (which returns false to stop); only
    /// the fields `collecting` accepts have their bytes gathered (the others get `[]`).
    private func forEachField(of record: UnsafeRawBufferPointer, collecting: (Int) -> Bool,
                              _ body: (Int, [UInt8]) -> Bool) {
        let n = record.count
        var i = 0
        var index = 0
        while true {
            let keep = collecting(index)
            var bytes: [UInt8] = []
            if csv && i < n && record[i] == 0x22 {
                i += 1
                while i < n {
                    let b = record[i]
                    if b == 0x22 {
                        if i + 1 < n && record[i + 1] == 0x22 {
                            if keep { bytes.append(0x22) }
                            i += 2
                            continue
                        }
                        i += 1
                        break
                    }
                    if keep { bytes.append(b) }
                    i += 1
                }
            }
            let start = i
            while i < n && record[i] != separator { i += 1 }
            if keep && i > start { bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: record[start..<i])) }
            if !body(index, bytes) { return }
            guard i < n else { return }
            i += 1  // the separator; a record ending with one has an empty last field
            index += 1
        }
    }
}
