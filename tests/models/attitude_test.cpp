// Tests of models/attitude/bounded_confidence (being written).
#include <gtest/gtest.h>
