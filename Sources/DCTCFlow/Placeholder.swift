// Replaced by the flow implementation.
import DCTCCore
