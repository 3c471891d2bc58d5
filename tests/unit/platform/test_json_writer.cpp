#include <sstream>

#include <gtest/gtest.h>

#include "json_writer.h"

using namespace stvp;

TEST(JsonWriter, NestsAndEscapes) {
    std::ostringstream o;
    JsonWriter j(o);
    j.begin_object();
    j.value("a", uint64_t(1));
    j.value("s", std::string("q\"\n\x01"));
    j.begin_array("list");
    j.value("", 2.5);
    j.end_array();
    j.begin_object("o");
    j.value("t", true);
    j.end_object();
    j.end_object();
    EXPECT_EQ(o.str(), "{\n  \"a\": 1,\n  \"s\": \"q\\\"\\n\\u0001\",\n  \"list\": [\n    2.5\n  ],\n  \"o\": {\n    \"t\": true\n  }\n}\n");
}

TEST(JsonWriter, NonFiniteBecomesNull) {
    std::ostringstream o;
    JsonWriter j(o);
    j.begin_object();
    j.value("x", 1.0 / 0.0);
    j.end_object();
    EXPECT_NE(o.str().find("\"x\": null"), std::string::npos);
}

TEST(JsonWriter, WholeDoublesAreIntegersOthersKeepTheirDigits) {
    std::ostringstream o;
    JsonWriter j(o);
    j.begin_object();
    j.value("ns", 2000000.0);
    j.value("big", 1e9);
    j.value("frac", 0.1);
    j.value("neg", -3.0);
    j.tree("t", Json::parse(R"({"a": [1, "x"]})"));
    j.end_object();
    EXPECT_EQ(o.str(), "{\n  \"ns\": 2000000,\n  \"big\": 1000000000,\n  \"frac\": 0.1,\n  \"neg\": -3,\n"
                       "  \"t\": {\n    \"a\": [\n      1,\n      \"x\"\n    ]\n  }\n}\n");
}
