#include "models/attitude/bounded_confidence.hpp"
