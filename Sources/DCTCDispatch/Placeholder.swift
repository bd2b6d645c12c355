// Replaced by the dispatch implementation.
import DCTCCore
