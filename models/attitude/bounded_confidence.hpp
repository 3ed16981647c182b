// bounded_confidence: attitude change on reading (stub; being written).
#pragma once
