//! Padu's record-linkage engine: normalise, block, compare, score (Fellegi-Sunter), decide, cluster. Pure compute..
