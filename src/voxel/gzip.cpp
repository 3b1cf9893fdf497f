#include "gzip.hpp"

#include <zlib.h>

#include <algorithm>
#include <limits>

namespace vixen::voxel {

bool isGzip(std::span<const std::byte> bytes) noexcept {
    return bytes.size() >= 2 && bytes[0] == std::byte{0x1F} && bytes[1] == std::byte{0x8B};
}

Result<std::vector<std::byte>> gunzip(std::span<const std::byte> bytes, std::string_view name,
                                      std::uint64_t maxBytes) {
    z_stream stream{};
    // 16 + MAX_WBITS: a gzip wrapper, not zlib's own.
    if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK) {
        return fail(ErrorCode::InvalidState, "{}: zlib could not start inflating", name);
    }
    std::vector<std::byte> out;
    std::size_t consumed = 0;
    constexpr std::size_t kStep = std::size_t{1} << 20;
    int status = Z_OK;
    while (true) {
        const std::size_t inputLeft = bytes.size() - consumed;
        stream.next_in = reinterpret_cast<Bytef*>(const_cast<std::byte*>(bytes.data() + consumed));
        stream.avail_in =
            static_cast<uInt>(std::min<std::size_t>(inputLeft, std::numeric_limits<uInt>::max()));
        if (out.size() >= maxBytes) {
            status = Z_BUF_ERROR;
            break;
        }
        const std::size_t produced = out.size();
        const std::size_t room =
            static_cast<std::size_t>(std::min<std::uint64_t>(kStep, maxBytes - out.size()));
        out.resize(produced + room);
        stream.next_out = reinterpret_cast<Bytef*>(out.data() + produced);
        stream.avail_out = static_cast<uInt>(room);
        const uInt inputBefore = stream.avail_in;
        status = inflate(&stream, Z_NO_FLUSH);
        consumed += inputBefore - stream.avail_in;
        out.resize(produced + room - stream.avail_out);
        if (status == Z_STREAM_END) {
            // Another member may follow (concatenated gzip files inflate to their concatenation).
            if (consumed < bytes.size() && isGzip(bytes.subspan(consumed))) {
                inflateReset(&stream);
                continue;
            }
            break;
        }
        if (status != Z_OK && status != Z_BUF_ERROR) {
            break;
        }
        if (status == Z_BUF_ERROR && consumed == bytes.size() && stream.avail_out != 0) {
            break;  // no input left and the stream has not ended: cut off
        }
    }
    const std::string reason = stream.msg != nullptr ? stream.msg : "the data is cut off";
    inflateEnd(&stream);
    if (status == Z_STREAM_END) {
        return out;
    }
    if (out.size() >= maxBytes) {
        return fail(ErrorCode::CapacityExceeded,
                    "{}: the gzip data inflates past {} bytes, the most read", name, maxBytes);
    }
    return fail(ErrorCode::ParseError, "{}: offset {} of the gzip data: {}", name, consumed,
                reason);
}

}  // namespace vixen::voxel
