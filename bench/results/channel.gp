# Written by bench/channel.c. Run it from this folder: gnuplot channel.gp
set terminal pngcairo size 1000,640
set termoption noenhanced
set output 'channel.png'
set title 'Spillway channel benchmark: P producers -> 1 receiver, u64 (median; bars: min..max)'
set xlabel 'producer threads P'
set ylabel 'million messages per second'
set logscale x 2
set logscale y 10
set grid
set key outside right top
set xrange [0.769231:20.8]
set xtics (1, 2, 4, 16)
$send << EOD
1 136.1732 134.3752 149.7094
2 166.8921 117.6238 179.2611
4 165.4895 145.6536 186.7605
16 139.7494 111.9324 163.2334
EOD
$send_many << EOD
1 417.5879 406.2255 452.2789
2 348.9232 325.0382 453.7018
4 259.3587 254.9712 335.8702
16 224.0755 164.4638 251.2848
EOD
$recv_batch << EOD
1 204.6597 101.2253 235.6024
2 217.5736 179.0768 281.2036
4 237.4551 198.3888 259.6671
16 177.1904 163.3414 207.6628
EOD
$recv_many << EOD
1 134.7545 94.4382 227.7733
2 217.2712 153.3090 240.7978
4 220.9391 201.1309 244.0369
16 168.5429 155.6036 182.1148
EOD
$mutex << EOD
1 11.6598 9.9458 14.3091
2 12.2235 11.2874 13.1429
4 13.5773 13.4949 15.5349
16 7.7560 7.6530 8.4281
EOD
$wfcq << EOD
1 17.4124 14.3374 21.5741
2 37.2560 33.4411 40.4749
4 25.5100 23.6841 26.2671
16 23.9367 22.0226 93.3027
EOD
$moody << EOD
1 35.2028 25.9884 42.4834
2 110.6032 105.6686 136.7214
4 128.4138 122.0310 131.8152
16 112.1062 103.3694 123.5366
EOD
$moody_bulk << EOD
1 160.8675 121.5605 181.4486
2 157.1157 140.1421 192.1899
4 148.8132 134.3876 184.3583
16 120.1465 113.2666 135.0575
EOD
$memory << EOD
1 313.2273 295.3729 346.8026
2 309.0436 296.8474 392.5365
4 312.1263 303.0055 358.5056
16 311.1311 281.9397 315.1157
EOD
plot $send using 1:2:3:4 with yerrorlines lw 2 pt 7 title 'spillway send', \
     $send_many using 1:2:3:4 with yerrorlines lw 2 pt 7 title 'spillway send_many(32)', \
     $recv_batch using 1:2:3:4 with yerrorlines lw 2 pt 7 title 'spillway send + recv_batch', \
     $recv_many using 1:2:3:4 with yerrorlines lw 2 pt 7 title 'spillway send + recv_many', \
     $mutex using 1:2:3:4 with yerrorlines lw 2 pt 7 title 'mutex+condvar', \
     $wfcq using 1:2:3:4 with yerrorlines lw 2 pt 7 title 'liburcu wfcqueue', \
     $moody using 1:2:3:4 with yerrorlines lw 2 pt 7 title 'moodycamel (tokens)', \
     $moody_bulk using 1:2:3:4 with yerrorlines lw 2 pt 7 title 'moodycamel bulk-32 (tokens)', \
     $memory using 1:2:3:4 with yerrorlines lw 2 pt 7 title 'memory, 1 thread (limit)'
