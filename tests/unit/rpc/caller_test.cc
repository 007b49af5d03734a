// Who the caller is: PercentDecode, and Callers::Identify over metadata injected with gRPC's
// ServerContextTestSpouse (no server needed).

#include "rpc/caller.h"

#include "common/token.h"

#include <gmock/gmock.h>
#include <grpcpp/server_context.h>
#include <grpcpp/test/server_context_test_spouse.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace rectify::rpc {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string Decoded(std::string_view in) {
  std::string out = "garbage from before";
  EXPECT_TRUE(PercentDecode(in, &out)) << in;
  return out;
}

TEST(PercentDecodeTest, PlainTextIsUnchanged) {
  EXPECT_EQ(Decoded(""), "");
  EXPECT_EQ(Decoded("li.si"), "li.si");
  EXPECT_EQ(Decoded("a+b c~"), "a+b c~") << "'+' is not a space here";
}

TEST(PercentDecodeTest, Utf8EscapesOfAChineseName) {
  // 张三 = E5 BC A0  E4 B8 89
  EXPECT_EQ(Decoded("%E5%BC%A0%E4%B8%89"), "张三");
  EXPECT_EQ(Decoded("%e5%bc%a0%e4%b8%89"), "张三") << "hex digits in either case";
  EXPECT_EQ(Decoded("%E5%bc%A0三"), "张三") << "mixed with raw UTF-8";
  EXPECT_EQ(Decoded("x%E5%BC%A0y"), "x张y");
}

TEST(PercentDecodeTest, EscapesOfAsciiAndBoundaryBytes) {
  EXPECT_EQ(Decoded("%41%42"), "AB");
  EXPECT_EQ(Decoded("%25"), "%");
  EXPECT_EQ(Decoded("100%25"), "100%");
  EXPECT_EQ(Decoded("%FF"), "\xff");
  EXPECT_EQ(Decoded("%00"), std::string(1, '\0'));
  EXPECT_EQ(Decoded("%2541"), "%41") << "decoded once, not twice";
}

TEST(PercentDecodeTest, MalformedEscapesAreRefused) {
  for (const std::string in : {"%", "%4", "abc%", "abc%4", "%G0", "%0G", "%zz", "%%", "% 41",
                               "%E5%BC%A", "%E5%BC%", "%-1", "%\xe5\xbc"}) {
    std::string out;
    EXPECT_FALSE(PercentDecode(in, &out)) << "\"" << in << "\" decoded to \"" << out << "\"";
  }
}

TEST(PercentDecodeTest, ClearsTheOutput) {
  std::string out = "old";
  ASSERT_TRUE(PercentDecode("new", &out));
  EXPECT_EQ(out, "new");
}

// ------------------------------------------------------------------------------------------
// Identify

config::Principal P(std::string name, bool supervisor, bool admin, std::vector<std::string> units) {
  config::Principal p;
  p.name = std::move(name);
  p.supervisor = supervisor;
  p.admin = admin;
  p.units = std::move(units);
  return p;
}

class IdentifyTest : public ::testing::Test {
 protected:
  Result<domain::Actor> Identify(const std::vector<std::pair<std::string, std::string>>& md) {
    grpc::ServerContext ctx;
    grpc::testing::ServerContextTestSpouse spouse(&ctx);
    for (const auto& [k, v] : md) spouse.AddClientMetadata(k, v);
    return callers_.Identify(ctx);
  }
  Result<domain::Actor> Authorize(const std::vector<std::pair<std::string, std::string>>& md,
                                  domain::Operation op) {
    grpc::ServerContext ctx;
    grpc::testing::ServerContextTestSpouse spouse(&ctx);
    for (const auto& [k, v] : md) spouse.AddClientMetadata(k, v);
    return callers_.Authorize(ctx, op);
  }
  Callers callers_{{P("张三", true, false, {"办公室"}), P("admin", false, true, {})}};
};

TEST_F(IdentifyTest, RawUtf8NameInBinaryHeader) {
  auto a = Identify({{"x-rectify-actor-bin", "张三"}});
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->name, "张三");
  EXPECT_TRUE(a->known);
  EXPECT_TRUE(a->supervisor);
  EXPECT_FALSE(a->admin);
  EXPECT_THAT(a->units, ElementsAre("办公室"));
}

TEST_F(IdentifyTest, PercentEncodedName) {
  auto a = Identify({{"x-rectify-actor", "%E5%BC%A0%E4%B8%89"}});
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->name, "张三");
  EXPECT_TRUE(a->known);
}

TEST_F(IdentifyTest, BinaryHeaderWins) {
  auto a = Identify({{"x-rectify-actor", "admin"}, {"x-rectify-actor-bin", "张三"}});
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->name, "张三");
}

TEST_F(IdentifyTest, UnlistedNameIsAnUnknownActorWithoutRoles) {
  auto a = Identify({{"x-rectify-actor", "visitor"}});
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->name, "visitor");
  EXPECT_FALSE(a->known);
  EXPECT_FALSE(a->supervisor);
  EXPECT_FALSE(a->admin);
  EXPECT_TRUE(a->units.empty());
}

TEST_F(IdentifyTest, AdminRole) {
  auto a = Identify({{"x-rectify-actor", "admin"}});
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_TRUE(a->known);
  EXPECT_TRUE(a->admin);
  EXPECT_FALSE(a->supervisor);
}

TEST_F(IdentifyTest, NoNameIsAnonymousAndMayNotAct) {
  for (const auto& md : std::vector<std::vector<std::pair<std::string, std::string>>>{
           {}, {{"x-rectify-actor", ""}}, {{"x-other", "张三"}}}) {
    auto a = Identify(md);
    ASSERT_TRUE(a.ok()) << a.status().ToString();
    EXPECT_EQ(a->name, "");
    auto create = Authorize(md, domain::Operation::kCreateItem);
    ASSERT_FALSE(create.ok());
    EXPECT_EQ(create.status().code(), Code::kUnauthenticated);
    EXPECT_THAT(create.status().message(), HasSubstr("x-rectify-actor"));
  }
}

TEST_F(IdentifyTest, MalformedEscapeIsUnauthenticated) {
  auto a = Identify({{"x-rectify-actor", "%E5%BC%A"}});
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().code(), Code::kUnauthenticated);
  EXPECT_THAT(a.status().message(), HasSubstr("%"));
}

TEST_F(IdentifyTest, InvalidUtf8IsUnauthenticated) {
  for (const auto& md : std::vector<std::vector<std::pair<std::string, std::string>>>{
           {{"x-rectify-actor", "%E5%BC"}},           // truncated sequence
           {{"x-rectify-actor", "%FF"}},              // never valid in UTF-8
           {{"x-rectify-actor-bin", "\xe5\xbc"}},     // truncated, raw
           {{"x-rectify-actor-bin", "\xc0\xaf"}}}) {  // overlong '/'
    auto a = Identify(md);
    ASSERT_FALSE(a.ok()) << "accepted " << md[0].second;
    EXPECT_EQ(a.status().code(), Code::kUnauthenticated);
  }
}

TEST_F(IdentifyTest, NameLengthIsCountedInCharacters) {
  std::string name64, name65;
  for (int i = 0; i < 64; ++i) name64 += "张";  // 64 characters, 192 bytes
  name65 = name64 + "三";
  auto ok = Identify({{"x-rectify-actor-bin", name64}});
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->name, name64);
  auto too_long = Identify({{"x-rectify-actor-bin", name65}});
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.status().code(), Code::kUnauthenticated);
}

// BUG (daemon/rpc/caller.cc, Callers::Identify, lines 36-50): the %-decoded name is only
// checked for being UTF-8 of at most 64 characters, so escapes of control characters pass:
// "%00", "%0A" or "%1B" put NUL, newline or an ANSI escape into the actor name, which then goes
// into events, history and logs (a name that prints the same as "张三" but is another actor, or
// a forged log line). caller.h promises "printable ASCII or %-encoded UTF-8". Fix: after decoding
// (and for the -bin header), refuse code points below 0x20 and 0x7F (and arguably other C1 /
// format characters) with UNAUTHENTICATED.
TEST_F(IdentifyTest, ControlCharactersInNameAreRefused) {
  for (const std::string raw : {"%E5%BC%A0%E4%B8%89%00", "a%0Ab", "%1B[31madmin", "x%7F"}) {
    auto a = Identify({{"x-rectify-actor", raw}});
    EXPECT_FALSE(a.ok()) << raw << " was accepted as an actor name";
  }
  auto bin = Identify({{"x-rectify-actor-bin", std::string("张三\n", 7)}});
  EXPECT_FALSE(bin.ok()) << "a newline in the -bin name was accepted";
}

TEST(CallersTest, OpenModeWithoutPrincipals) {
  EXPECT_TRUE(Callers({}).open_mode());
  EXPECT_FALSE(Callers({P("a", false, false, {})}).open_mode());
  AuthOptions tokens;
  tokens.require_credentials = true;
  EXPECT_FALSE(Callers({}, tokens).open_mode()) << "token mode is never open";
}

// ------------------------------------------------------------------------------------------
// Bearer tokens, and what authentication does to x-rectify-actor

class TokenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    token_ = GenerateToken().value();
    other_ = GenerateToken().value();
    config::Principal zhang = P("张三", false, false, {"办公室"});
    zhang.token_hashes = {HashToken(token_).value()};
    config::Principal li = P("李四", true, false, {});
    li.token_hashes = {HashToken(other_).value(), HashToken("second-token-of-li").value()};
    AuthOptions o;
    o.require_credentials = true;
    callers_ = std::make_unique<Callers>(std::vector<config::Principal>{zhang, li}, o);
  }
  Result<domain::Actor> Call(const std::vector<std::pair<std::string, std::string>>& md,
                             domain::Operation op = domain::Operation::kGetItem) {
    grpc::ServerContext ctx;
    grpc::testing::ServerContextTestSpouse spouse(&ctx);
    for (const auto& [k, v] : md) spouse.AddClientMetadata(k, v);
    return callers_->Authorize(ctx, op);
  }
  std::string token_, other_;
  std::unique_ptr<Callers> callers_;
};

TEST_F(TokenTest, EachTokenIsItsPrincipal) {
  auto a = Call({{"authorization", "Bearer " + token_}});
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->name, "张三");
  EXPECT_TRUE(a->known);
  EXPECT_THAT(a->units, ElementsAre("办公室"));
  auto b = Call({{"authorization", "bearer second-token-of-li"}});
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(b->name, "李四") << "the scheme is case-insensitive; a principal may have several";
  EXPECT_TRUE(b->supervisor);
}

TEST_F(TokenTest, NoOrBadCredentialsAreUnauthenticatedAndNeverEchoed) {
  const std::string wrong = token_.substr(0, token_.size() - 1) + (token_.back() == 'a' ? "b" : "a");
  for (const auto& md : std::vector<std::vector<std::pair<std::string, std::string>>>{
           {},
           {{"x-rectify-actor", "张三"}},  // naming oneself is not credentials here
           {{"authorization", "Bearer " + wrong}},
           {{"authorization", "Basic " + token_}},
           {{"authorization", token_}},
           {{"authorization", "Bearer "}},
           {{"authorization", "Bearer " + token_ + " "}}}) {
    auto a = Call(md);
    ASSERT_FALSE(a.ok()) << (md.empty() ? "" : md[0].second) << " authenticated as " << a->name;
    EXPECT_EQ(a.status().code(), Code::kUnauthenticated);
    EXPECT_THAT(a.status().message(), ::testing::Not(HasSubstr(token_)));
    EXPECT_THAT(a.status().message(), ::testing::Not(HasSubstr(wrong)));
  }
}

TEST_F(TokenTest, AnAuthenticatedCallerMayNotNameSomeoneElse) {
  auto other = Call({{"authorization", "Bearer " + token_}, {"x-rectify-actor-bin", "李四"}});
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().code(), Code::kPermissionDenied);
  auto same = Call({{"authorization", "Bearer " + token_}, {"x-rectify-actor-bin", "张三"}});
  ASSERT_TRUE(same.ok()) << same.status().ToString();
  EXPECT_EQ(same->name, "张三");
}

TEST_F(TokenTest, ThePolicyTableAppliesAfterAuthentication) {
  auto backup = Call({{"authorization", "Bearer " + token_}}, domain::Operation::kBackup);
  ASSERT_FALSE(backup.ok());
  EXPECT_EQ(backup.status().code(), Code::kPermissionDenied);
  EXPECT_THAT(backup.status().message(), HasSubstr("admin"));
  auto info = Call({{"authorization", "Bearer " + token_}}, domain::Operation::kGetServerInfo);
  EXPECT_TRUE(info.ok()) << info.status().ToString();
}

TEST(RateLimitTest, EachPrincipalHasItsOwnBucket) {
  AuthOptions o;
  o.rate_per_second = 0.001;  // refills far slower than this test runs
  o.burst = 3;
  Callers callers({P("a", false, false, {"u"}), P("b", false, false, {"u"})}, o);
  auto call = [&](const std::string& who) {
    grpc::ServerContext ctx;
    grpc::testing::ServerContextTestSpouse spouse(&ctx);
    spouse.AddClientMetadata("x-rectify-actor", who);
    return callers.Authorize(ctx, domain::Operation::kGetItem);
  };
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(call("a").ok()) << "call " << i << " within the burst";
  auto over = call("a");
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.status().code(), Code::kResourceExhausted);
  EXPECT_THAT(over.status().message(), HasSubstr("rate limit"));
  EXPECT_TRUE(call("b").ok()) << "another principal is not held back by a's burst";
}

}  // namespace
}  // namespace rectify::rpc
