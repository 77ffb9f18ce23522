/**
 * Tags of the raw frames io forwards to the orders thread through the FillRing (BytesRing).
 * The orders thread parses them with `parseServerMessage`; the tag saves it a look at `type`.
 */
export const PRIVATE_FRAME_TAGS = {
  fill: 1,
  user_order: 2,
  market_position: 3,
  market_lifecycle_v2: 4,
} as const;

export type PrivateFrameKind = keyof typeof PRIVATE_FRAME_TAGS;
