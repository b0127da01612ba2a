#include "sim/io/npy.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <limits>
#include <optional>
#include <string_view>
#include <system_error>

#include "sim/core/errors.h"

namespace cimsim {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr std::size_t kMagicSize = 6;
// numpy pads the preamble plus header to a multiple of this so the data is aligned for mmap.
constexpr std::size_t kHeaderAlignment = 64;

[[noreturn]] void fail(const std::filesystem::path& file, const std::string& problem) {
  throw DataError(file.string() + ": " + problem);
}

// At most 80 printable characters of a header, for error messages: the header comes from an
// untrusted file and may hold anything.
std::string printable(std::string_view text) {
  std::string out;
  for (const char c : text.substr(0, 80)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
  if (text.size() > 80) out += "...";
  return out;
}

struct Header {
  std::string descr;
  bool fortran_order = false;
  std::vector<std::size_t> shape;
};

// Parses the header's Python dict literal, which numpy writes as
// {'descr': '<i8', 'fortran_order': False, 'shape': (3, 4), } padded with spaces and '\n'.
// Only these three keys with a string, a bool and a tuple of non-negative ints are accepted.
class HeaderParser {
 public:
  HeaderParser(const std::filesystem::path& file, std::string_view text)
      : file_(file), text_(text) {}

  Header parse() {
    Header header;
    bool seen_descr = false, seen_fortran = false, seen_shape = false;
    expect('{');
    while (skip_space(), peek() != '}') {
      const std::string key = parse_string();
      expect(':');
      if (key == "descr" && !seen_descr) {
        skip_space();
        if (peek() != '\'' && peek() != '"') {
          error("a structured or non-string 'descr' is not supported (only simple dtypes)");
        }
        header.descr = parse_string();
        seen_descr = true;
      } else if (key == "fortran_order" && !seen_fortran) {
        header.fortran_order = parse_bool();
        seen_fortran = true;
      } else if (key == "shape" && !seen_shape) {
        header.shape = parse_shape();
        seen_shape = true;
      } else {
        error("unexpected or repeated key '" + printable(key) +
              "' (expected descr, fortran_order, shape)");
      }
      skip_space();
      if (peek() != ',') break;
      ++pos_;
    }
    expect('}');
    skip_space();
    if (pos_ != text_.size()) error("unexpected text after the closing '}'");
    if (!seen_descr || !seen_fortran || !seen_shape) {
      error("the header lacks one of the keys descr, fortran_order, shape");
    }
    return header;
  }

 private:
  [[noreturn]] void error(const std::string& problem) const {
    fail(file_, "malformed npy header at character " + std::to_string(pos_) + ": " + problem +
                    " (header: " + printable(trimmed()) + ")");
  }
  // The header without numpy's padding.
  std::string_view trimmed() const {
    const std::size_t end = text_.find_last_not_of(" \t\r\n");
    return text_.substr(0, end == std::string_view::npos ? 0 : end + 1);
  }
  char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  void skip_space() {
    while (pos_ < text_.size() && std::strchr(" \t\r\n", text_[pos_]) != nullptr) ++pos_;
  }
  void expect(char c) {
    skip_space();
    if (peek() != c) error(std::string("expected '") + c + "'");
    ++pos_;
  }
  bool accept_word(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  std::string parse_string() {
    skip_space();
    const char quote = peek();
    if (quote != '\'' && quote != '"') error("expected a quoted string");
    const std::size_t end = text_.find(quote, pos_ + 1);
    if (end == std::string_view::npos) error("unterminated string");
    std::string value(text_.substr(pos_ + 1, end - pos_ - 1));
    if (value.find('\\') != std::string::npos) error("escapes in strings are not supported");
    pos_ = end + 1;
    return value;
  }

  bool parse_bool() {
    skip_space();
    if (accept_word("True")) return true;
    if (accept_word("False")) return false;
    error("expected True or False");
  }

  std::size_t parse_dimension() {
    skip_space();
    if (peek() == '-') error("negative dimension in shape");
    if (peek() < '0' || peek() > '9') error("expected a dimension (a non-negative integer)");
    std::size_t value = 0;
    constexpr std::size_t kMax = std::numeric_limits<std::size_t>::max();
    while (peek() >= '0' && peek() <= '9') {
      const auto digit = static_cast<std::size_t>(peek() - '0');
      if (value > (kMax - digit) / 10) error("dimension does not fit in 64 bits");
      value = value * 10 + digit;
      ++pos_;
    }
    return value;
  }

  // A tuple "()", "(3,)", "(3, 4)" (a trailing comma is allowed, as Python does).
  std::vector<std::size_t> parse_shape() {
    std::vector<std::size_t> shape;
    expect('(');
    while (skip_space(), peek() != ')') {
      shape.push_back(parse_dimension());
      skip_space();
      if (peek() != ',') break;
      ++pos_;
    }
    expect(')');
    return shape;
  }

  const std::filesystem::path& file_;
  std::string_view text_;
  std::size_t pos_ = 0;
};

struct Dtype {
  char kind = 'i';  // 'i' signed, 'u' unsigned, 'f' IEEE float
  std::size_t item_size = 0;
};

Dtype parse_dtype(const std::filesystem::path& file, const std::string& descr) {
  static const std::string kSupported = "<i1 |i1 <i2 <i4 <i8 |u1 <u2 <u4 <u8 <f4 <f8";
  const std::string shown = "'" + printable(descr) + "'";
  if (descr.size() >= 2 && descr[1] == 'O')
    fail(file, "object dtype " + shown + " is not supported");
  if (!descr.empty() && descr[0] == '>') {
    fail(file, "big-endian dtype " + shown +
                   " is not supported; save it with "
                   "arr.astype(arr.dtype.newbyteorder('<'))");
  }
  if (descr.size() == 3) {
    const char order = descr[0], kind = descr[1], size_digit = descr[2];
    const bool int_size =
        size_digit == '1' || size_digit == '2' || size_digit == '4' || size_digit == '8';
    const bool float_size = size_digit == '4' || size_digit == '8';
    const bool order_ok = order == '<' || (order == '|' && size_digit == '1');
    if (order_ok && (((kind == 'i' || kind == 'u') && int_size) || (kind == 'f' && float_size))) {
      return Dtype{kind, static_cast<std::size_t>(size_digit - '0')};
    }
  }
  fail(file, "unsupported dtype " + shown + " (supported: " + kSupported + ")");
}

std::string shape_text(const std::vector<std::size_t>& shape) {
  std::string text = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) text += ", ";
    text += std::to_string(shape[i]);
  }
  return text + (shape.size() == 1 ? ",)" : ")");
}

// The element count of a shape; nullopt when it overflows 64 bits.
std::optional<std::uint64_t> element_count(const std::vector<std::size_t>& shape) {
  for (const std::size_t dim : shape) {
    if (dim == 0) return 0;  // an empty array is fine however large its other dimensions
  }
  std::uint64_t count = 1;
  for (const std::size_t dim : shape) {
    if (count > std::numeric_limits<std::uint64_t>::max() / dim) return std::nullopt;
    count *= dim;
  }
  return count;
}

std::uint64_t load_le(const std::uint8_t* bytes, std::size_t size) {
  std::uint64_t value = 0;
  for (std::size_t b = 0; b < size; ++b) value |= std::uint64_t{bytes[b]} << (8 * b);
  return value;
}

void decode(const std::filesystem::path& file, const Dtype& dtype,
            const std::vector<std::uint8_t>& bytes, NpyArray& array) {
  const std::size_t count = bytes.size() / dtype.item_size;
  const std::size_t bits = 8 * dtype.item_size;
  if (dtype.kind == 'f') {
    array.floats.resize(count);
    for (std::size_t i = 0; i < count; ++i) {
      const std::uint64_t raw = load_le(&bytes[i * dtype.item_size], dtype.item_size);
      if (dtype.item_size == 4) {
        const auto raw32 = static_cast<std::uint32_t>(raw);
        float value;
        std::memcpy(&value, &raw32, sizeof value);
        array.floats[i] = value;
      } else {
        std::memcpy(&array.floats[i], &raw, sizeof raw);
      }
    }
    return;
  }
  array.ints.resize(count);
  for (std::size_t i = 0; i < count; ++i) {
    std::uint64_t raw = load_le(&bytes[i * dtype.item_size], dtype.item_size);
    if (dtype.kind == 'i' && bits < 64 && ((raw >> (bits - 1)) & 1U) != 0) {
      raw |= ~std::uint64_t{0} << bits;  // sign-extend
    }
    if (dtype.kind == 'u' && raw > std::uint64_t{std::numeric_limits<std::int64_t>::max()}) {
      fail(file, "element " + std::to_string(i) + " of the <u8 array is " + std::to_string(raw) +
                     ", beyond the int64 range this reader returns");
    }
    array.ints[i] = static_cast<std::int64_t>(raw);
  }
}

std::string open_error() { return errno != 0 ? std::strerror(errno) : "unknown error"; }

template <typename T, typename Encode>
void write_npy(const std::filesystem::path& file, const std::vector<std::size_t>& shape,
               const std::vector<T>& data, const char* descr, Encode encode) {
  const std::optional<std::uint64_t> count = element_count(shape);
  if (!count || *count != data.size()) {
    fail(file, "cannot write npy: shape " + shape_text(shape) + " does not hold the " +
                   std::to_string(data.size()) + " elements given");
  }
  std::string header = std::string("{'descr': '") + descr +
                       "', 'fortran_order': False, 'shape': " + shape_text(shape) + ", }";
  // Version 1.0 stores the header length in 2 bytes, 2.0 in 4: numpy's choice, too.
  auto padding = [&](std::size_t preamble) {
    return (kHeaderAlignment - (preamble + header.size() + 1) % kHeaderAlignment) %
           kHeaderAlignment;
  };
  const bool version2 = header.size() + padding(10) + 1 > 65535;
  header.append(padding(version2 ? 12 : 10), ' ');
  header += '\n';

  errno = 0;
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  if (!out) throw RuntimeError("cannot write " + file.string() + ": " + open_error());
  std::string prefix(kMagic, kMagicSize);
  prefix += static_cast<char>(version2 ? 2 : 1);
  prefix += '\0';
  for (std::size_t b = 0; b < (version2 ? 4U : 2U); ++b) {
    prefix += static_cast<char>((header.size() >> (8 * b)) & 0xffU);
  }
  out << prefix << header;
  std::string chunk;
  for (std::size_t i = 0; i < data.size(); ++i) {
    const std::uint64_t bits = encode(data[i]);
    for (std::size_t b = 0; b < 8; ++b) chunk += static_cast<char>((bits >> (8 * b)) & 0xffU);
    if (chunk.size() >= (1U << 16)) {
      out.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
      chunk.clear();
    }
  }
  out.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
  out.close();
  if (!out) throw RuntimeError("cannot write " + file.string() + ": " + open_error());
}

}  // namespace

std::size_t NpyArray::size() const {
  std::size_t count = 1;
  for (const std::size_t dim : shape) count *= dim;
  return count;
}

NpyArray read_npy(const std::filesystem::path& file) {
  errno = 0;
  std::ifstream in(file, std::ios::binary);
  if (!in) fail(file, "cannot open npy file: " + open_error());
  std::error_code ec;
  const std::uintmax_t file_size = std::filesystem::file_size(file, ec);
  if (ec) fail(file, "cannot get the size of the npy file: " + ec.message());

  auto read = [&](std::size_t offset, std::size_t size) {
    std::vector<std::uint8_t> bytes(size);
    in.seekg(static_cast<std::streamoff>(offset));
    in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(size));
    if (!in) fail(file, "read error (the file changed while being read?)");
    return bytes;
  };

  const std::vector<std::uint8_t> magic = read(0, std::min<std::uintmax_t>(file_size, 8));
  if (magic.size() < kMagicSize || std::memcmp(magic.data(), kMagic, kMagicSize) != 0) {
    fail(file, "not an npy file: it does not start with the magic \\x93NUMPY");
  }
  if (magic.size() < 8) fail(file, "truncated npy preamble: the file ends after the magic");
  const int major = magic[6], minor = magic[7];
  if ((major < 1 || major > 3) || minor != 0) {
    fail(file, "unsupported npy format version " + std::to_string(major) + "." +
                   std::to_string(minor) + " (expected 1.0, 2.0 or 3.0)");
  }
  const std::size_t length_bytes = major == 1 ? 2 : 4;
  if (file_size < 8 + length_bytes) fail(file, "truncated npy preamble: no header length");
  const std::uint64_t header_length = load_le(read(8, length_bytes).data(), length_bytes);
  const std::size_t header_start = 8 + length_bytes;
  if (header_length > file_size - header_start) {
    fail(file, "truncated npy header: the header length " + std::to_string(header_length) +
                   " runs past the end of the " + std::to_string(file_size) + "-byte file");
  }
  const std::vector<std::uint8_t> header_bytes = read(header_start, header_length);
  const std::string header_text(header_bytes.begin(), header_bytes.end());
  const Header header = HeaderParser(file, header_text).parse();

  NpyArray array;
  array.dtype = header.descr;
  array.shape = header.shape;
  const Dtype dtype = parse_dtype(file, header.descr);
  array.is_integer = dtype.kind != 'f';
  if (header.fortran_order) {
    fail(file,
         "fortran_order True is not supported; save a C-order array "
         "(np.save(path, np.ascontiguousarray(arr)))");
  }
  const std::optional<std::uint64_t> count = element_count(header.shape);
  if (!count || *count > kNpyMaxElements) {
    fail(file, "shape " + shape_text(header.shape) + " has more than 2^31 elements");
  }
  const std::uint64_t data_bytes = *count * dtype.item_size;
  const std::uint64_t data_start = header_start + header_length;
  const std::uint64_t available = file_size - data_start;
  if (available != data_bytes) {
    fail(file, std::string(available < data_bytes ? "truncated npy data" : "trailing bytes") +
                   ": shape " + shape_text(header.shape) + " of " + header.descr + " needs " +
                   std::to_string(data_bytes) + " data bytes but the file has " +
                   std::to_string(available) + " after the header");
  }
  decode(file, dtype, read(data_start, data_bytes), array);
  return array;
}

void write_npy_int64(const std::filesystem::path& file, const std::vector<std::size_t>& shape,
                     const std::vector<std::int64_t>& data) {
  write_npy(file, shape, data, "<i8",
            [](std::int64_t value) { return static_cast<std::uint64_t>(value); });
}

void write_npy_float64(const std::filesystem::path& file, const std::vector<std::size_t>& shape,
                       const std::vector<double>& data) {
  write_npy(file, shape, data, "<f8", [](double value) {
    std::uint64_t bits;
    std::memcpy(&bits, &value, sizeof bits);
    return bits;
  });
}

}  // namespace cimsim
