import DCTCCompression
import DCTCCore

/// How a source file's name becomes its destination name under a transform.
public struct NameMapping: Sendable {
    public let transform: SyncTransform

    public init(transform: SyncTransform) { self.transform = transform }

    /// The destination name of a source file.
    public func destinationName(ofFile name: String) -> String {
        switch transform {
        case .none: return name
        case .compress(let codec, _): return codec.addingExtension(to: name)
        case .decompress:
            if let codec = Codec.forName(name), codec.isStream, let stripped = codec.strippingExtension(from: name) {
                return stripped
            }
            return name
        }
    }

    /// True when the content changes on the way (sizes and hashes of the two sides differ).
    public func changesContent(ofFile name: String) -> Bool {
        switch transform {
        case .none: return false
        case .compress: return true
        case .decompress: return destinationName(ofFile: name) != name
        }
    }
}

/// Joins a relative directory and a name.
func join(_ dir: String, _ name: String) -> String { dir.isEmpty ? name : dir + "/" + name }

extension String {
    /// Byte-wise ordering, the order of `VPath` and of every store's sorted listing.
    func bytesPrecede(_ other: String) -> Bool { utf8.lexicographicallyPrecedes(other.utf8) }
    func bytesEqual(_ other: String) -> Bool { utf8.elementsEqual(other.utf8) }
}
