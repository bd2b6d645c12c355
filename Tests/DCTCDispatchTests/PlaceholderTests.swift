import Testing
@testable import DCTCDispatch
