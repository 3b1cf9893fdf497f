#include "vixen/core/error.hpp"

#include <gtest/gtest.h>

namespace vixen {
namespace {

Result<int> parsePositive(int value) {
    if (value <= 0) {
        return fail(ErrorCode::InvalidArgument, "value {} must be positive", value);
    }
    return value;
}

TEST(ErrorTest, FailCarriesCodeAndFormattedMessage) {
    const Result<int> bad = parsePositive(-3);
    ASSERT_FALSE(bad.has_value());
    EXPECT_EQ(bad.error().code, ErrorCode::InvalidArgument);
    EXPECT_EQ(bad.error().message, "value -3 must be positive");
    EXPECT_EQ(bad.error().describe(), "invalid argument: value -3 must be positive");
    EXPECT_EQ(parsePositive(4).value(), 4);
}

}  // namespace
}  // namespace vixen
