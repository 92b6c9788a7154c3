#!/usr/bin/env bash
# Real-world video corpus for the robustness tests (issue 9), generated with the `ffmpeg` CLI:
# odd and tiny frame sizes, a 4K clip, pixel formats, codecs, containers, stream order, display
# rotation, variable frame rate, streamed files without a duration, B-frames, non-zero start times,
# single-frame and very short videos, and broken files (truncated, empty, text, corrupt packets).
#
#   scripts/make_video_corpus.sh OUT_DIR
#
# Writes OUT_DIR/<case>.<ext> and OUT_DIR/manifest.tsv with one line per case:
#   file <TAB> expect <TAB> rotation <TAB> description
# expect: "decode" (frames must match the ffmpeg CLI's rgb24 frames) or "error" (a VideoError naming
# the file). A case whose encoder this FFmpeg build lacks is left out and listed on stderr.
# Nothing here is committed but this script; everything is small (~3 MB, ~20 s on 2 cores).
set -euo pipefail
out=${1:?usage: make_video_corpus.sh OUT_DIR}
mkdir -p "$out"
manifest="$out/manifest.tsv"
: > "$manifest"
ff=(ffmpeg -hide_banner -loglevel error -y -nostdin)
src() {  # src SIZE RATE SECONDS -> lavfi test pattern input args (moving, so frames differ)
  echo "-f lavfi -i testsrc2=size=$1:rate=$2:duration=$3"
}
encoders=$(ffmpeg -hide_banner -encoders 2>/dev/null)
have_encoder() { grep -qE "^ V[^ ]* +$1 " <<< "$encoders"; }
add() {  # add FILE EXPECT ROTATION DESCRIPTION
  printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >> "$manifest"
}
# make FILE EXPECT DESCRIPTION ENCODER -- ffmpeg args...: encodes when ENCODER exists, records the case.
make() {
  local file=$1 expect=$2 desc=$3 enc=$4
  shift 4
  if ! have_encoder "$enc"; then
    echo "[corpus] skipped $file: no $enc encoder in this FFmpeg" >&2
    return 0
  fi
  if ! "${ff[@]}" "$@" "$out/$file" 2> "$out/$file.log"; then
    echo "[corpus] skipped $file: ffmpeg failed: $(tail -1 "$out/$file.log")" >&2
    rm -f "$out/$file"
    return 0
  fi
  rm -f "$out/$file.log"
  add "$file" "$expect" 0 "$desc"
}

x264=(-c:v libx264 -preset ultrafast)
# --- frame sizes that are not multiples of 2/4/8/16/32/64 (the heap-corruption repro is 426x240) ---
make w426x240.mp4  decode "426x240 H.264 yuv420p"            libx264 $(src 426x240 10 2) "${x264[@]}" -pix_fmt yuv420p
make w568x320.mp4  decode "568x320 H.264 yuv420p"            libx264 $(src 568x320 10 2) "${x264[@]}" -pix_fmt yuv420p
make w854x480.mp4  decode "854x480 H.264 yuv420p"            libx264 $(src 854x480 10 2) "${x264[@]}" -pix_fmt yuv420p
# Odd sizes come from the scale filter (testsrc2 itself rounds sizes to even); 4:2:0 with odd sizes
# rounds the chroma planes up.
make w427x241.avi  decode "427x241 (odd) MJPEG yuvj420p"     mjpeg   $(src 640x360 10 2) -vf scale=427:241 -c:v mjpeg -pix_fmt yuvj420p
make w427x241.mkv  decode "427x241 (odd) H.264 yuv444p"      libx264 $(src 640x360 10 2) -vf scale=427:241 "${x264[@]}" -pix_fmt yuv444p
make w3x5.avi      decode "3x5 MJPEG yuvj444p"               mjpeg   $(src 64x64 10 2) -vf scale=3:5 -c:v mjpeg -pix_fmt yuvj444p
make w3x5.mkv      decode "3x5 H.264 yuv444p"                libx264 $(src 64x64 10 2) -vf scale=3:5 "${x264[@]}" -pix_fmt yuv444p
make w1x1.avi      decode "1x1 MJPEG"                        mjpeg   $(src 64x64 10 2) -vf scale=1:1 -c:v mjpeg -pix_fmt yuvj444p
make w1x1.mkv      decode "1x1 H.264 yuv444p"                libx264 $(src 64x64 10 2) -vf scale=1:1 "${x264[@]}" -pix_fmt yuv444p
make w3840x2160.mp4 decode "3840x2160 H.264, 0.5 s"          libx264 $(src 3840x2160 4 0.5) "${x264[@]}" -pix_fmt yuv420p
# --- pixel formats ---
make pf_yuvj420p.mp4   decode "yuvj420p (full range) H.264"  libx264 $(src 426x240 10 2) "${x264[@]}" -pix_fmt yuvj420p
make pf_yuv422p.mkv    decode "yuv422p H.264 High 4:2:2"     libx264 $(src 426x240 10 2) "${x264[@]}" -pix_fmt yuv422p
make pf_yuv444p.mp4    decode "yuv444p H.264 High 4:4:4"     libx264 $(src 426x240 10 2) "${x264[@]}" -pix_fmt yuv444p
make pf_yuv420p10.mkv  decode "yuv420p10le H.264 High 10"    libx264 $(src 426x240 10 2) "${x264[@]}" -pix_fmt yuv420p10le
make pf_rgb24.mkv      decode "rgb24 H.264 (libx264rgb)"     libx264rgb $(src 426x240 10 2) -c:v libx264rgb -preset ultrafast -pix_fmt rgb24
make pf_bt709.mp4      decode "BT.709 tagged H.264"          libx264 $(src 426x240 10 2) "${x264[@]}" -pix_fmt yuv420p \
  -colorspace bt709 -color_primaries bt709 -color_trc bt709
# --- codecs and containers ---
make c_hevc.mp4        decode "HEVC (libx265) in mp4"        libx265 $(src 426x240 10 2) -c:v libx265 -preset ultrafast \
  -x265-params log-level=error -pix_fmt yuv420p -tag:v hvc1
make c_vp9.webm        decode "VP9 in webm"                  libvpx-vp9 $(src 426x240 10 2) -c:v libvpx-vp9 -deadline realtime \
  -cpu-used 8 -pix_fmt yuv420p
make c_av1.mkv         decode "AV1 (SVT-AV1) in mkv"         libsvtav1 $(src 426x240 10 2) -c:v libsvtav1 -preset 12 -pix_fmt yuv420p
make c_mpeg4.avi       decode "MPEG-4 Part 2 in avi"         mpeg4   $(src 426x240 10 2) -c:v mpeg4 -q:v 5
make c_mjpeg.mov       decode "MJPEG in mov"                 mjpeg   $(src 426x240 10 2) -c:v mjpeg -q:v 5
make c_h264.mov        decode "H.264 in mov"                 libx264 $(src 426x240 10 2) "${x264[@]}" -pix_fmt yuv420p
# --- stream layout and timing ---
make audio_first.mp4   decode "audio stream before the video stream" libx264 -f lavfi -i sine=frequency=440:duration=2 \
  $(src 426x240 10 2) -map 0:a -map 1:v "${x264[@]}" -pix_fmt yuv420p -c:a aac
make bframes.mp4       decode "H.264 with 3 B-frames, GOP 12" libx264 $(src 426x240 10 3) -c:v libx264 -preset medium -bf 3 \
  -g 12 -pix_fmt yuv420p
make vfr.mkv           decode "variable frame rate (frames 5-14 dropped)" libx264 $(src 426x240 10 3) \
  -vf "select='not(between(n\,5\,14))'" -fps_mode vfr "${x264[@]}" -pix_fmt yuv420p
make start_offset.mkv  decode "non-zero start time (3.5 s)"  libx264 $(src 426x240 10 2) "${x264[@]}" -pix_fmt yuv420p \
  -output_ts_offset 3.5
make single_frame.mp4  decode "a single frame"               libx264 $(src 426x240 10 1) -frames:v 1 "${x264[@]}" -pix_fmt yuv420p
make short_3frames.mp4 decode "3 frames (fewer than any protocol samples)" libx264 $(src 426x240 10 1) -frames:v 3 \
  "${x264[@]}" -pix_fmt yuv420p
# Streamed (unseekable) output: no duration, no cues, no frame count in the header.
if have_encoder libvpx-vp9; then
  "${ff[@]}" $(src 426x240 10 2) -c:v libvpx-vp9 -deadline realtime -cpu-used 8 -pix_fmt yuv420p -f webm pipe:1 \
    > "$out/streamed.webm" && add streamed.webm decode 0 "streamed webm (no duration, no cues)"
fi
"${ff[@]}" $(src 426x240 10 2) "${x264[@]}" -pix_fmt yuv420p -f matroska pipe:1 > "$out/streamed.mkv" &&
  add streamed.mkv decode 0 "streamed mkv (no duration, no cues)"
# Display rotation (phone videos): a display matrix written by the mov muxer from the legacy rotate
# tag on a stream copy (FFmpeg 5.1 drops the tag when encoding). The manifest's number is the clockwise
# rotation the ffmpeg CLI's autorotate applies to such a file (its transpose/flip filters): minus the
# matrix's counter-clockwise angle that ffprobe prints, modulo 360 (FFmpeg 5.1's muxer writes the tag's
# angle with the opposite sign, so the tag's number alone would mislead).
"${ff[@]}" $(src 426x240 10 1) "${x264[@]}" -pix_fmt yuv420p "$out/_unrotated.mp4"
for tag in 90 180 270; do
  "${ff[@]}" -i "$out/_unrotated.mp4" -c copy -metadata:s:v:0 rotate=$tag "$out/rot$tag.mp4" || continue
  ccw=$(ffprobe -v error -select_streams v:0 -show_entries stream_side_data=rotation -of csv=p=0 "$out/rot$tag.mp4" | head -1)
  add "rot$tag.mp4" decode "$(( ((-${ccw%.*}) % 360 + 360) % 360 ))" "display matrix from rotate=$tag (ffprobe: $ccw ccw)"
done
rm -f "$out/_unrotated.mp4"
# --- broken files ---
"${ff[@]}" $(src 426x240 10 4) "${x264[@]}" -pix_fmt yuv420p -movflags +faststart "$out/_whole_faststart.mp4"
size=$(stat -c %s "$out/_whole_faststart.mp4")
head -c $((size / 2)) "$out/_whole_faststart.mp4" > "$out/truncated_half.mp4"
add truncated_half.mp4 error 0 "mp4 cut in half (moov first: the sample table promises missing frames)"
"${ff[@]}" $(src 426x240 10 4) "${x264[@]}" -pix_fmt yuv420p "$out/_whole_moov_end.mp4"
head -c $(($(stat -c %s "$out/_whole_moov_end.mp4") / 2)) "$out/_whole_moov_end.mp4" > "$out/truncated_no_moov.mp4"
add truncated_no_moov.mp4 error 0 "mp4 cut in half before its moov atom"
rm -f "$out"/_whole_*.mp4
: > "$out/zero_length.mp4"
add zero_length.mp4 error 0 "zero-length file"
printf 'This is not a video, just text with a .mp4 name.\n%.0s' {1..40} > "$out/text_file.mp4"
add text_file.mp4 error 0 "a text file named .mp4"
# Corrupt packets in the middle: overwrite 4 KB in the middle of an intra-heavy H.264 stream with
# 0xFF bytes. Strict decoding (the default) must fail with an error naming the file.
"${ff[@]}" $(src 640x360 10 4) "${x264[@]}" -pix_fmt yuv420p -g 5 -f mpegts "$out/corrupt_middle.ts"
csize=$(stat -c %s "$out/corrupt_middle.ts")
head -c 4096 /dev/zero | tr '\0' '\377' |
  dd of="$out/corrupt_middle.ts" bs=1 seek=$((csize / 2)) conv=notrunc status=none
add corrupt_middle.ts error 0 "MPEG-TS with 4 KB of 0xFF over packets in the middle"
echo "[corpus] $(wc -l < "$manifest") cases in $out" >&2
