import Testing
@testable import DCTCFlow
