# Written by bench/channel.c; run: gnuplot /work/main/bench/results/channel.gp
set terminal pngcairo size 1000,640
set termoption noenhanced
set output '/work/main/bench/results/channel.png'
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
1 132.3483 116.9158 168.7586
2 162.1793 144.1025 171.5660
4 179.6168 145.4663 194.9710
16 141.2788 130.0146 164.1789
EOD
$send_many << EOD
1 516.1679 467.3906 556.2302
2 306.0176 293.9021 308.7594
4 285.8684 245.3595 306.1718
16 212.0029 181.8387 270.5894
EOD
$recv_batch << EOD
1 111.4420 105.4344 123.0348
2 180.7083 153.1114 202.9048
4 255.8759 223.0342 276.9063
16 207.3879 191.1468 225.6873
EOD
$recv_many << EOD
1 110.6640 104.0008 122.0860
2 188.2371 171.3177 206.8719
4 224.6494 206.1453 271.8562
16 180.2071 164.1234 212.3839
EOD
$mutex << EOD
1 12.8838 10.8521 14.0779
2 13.0098 12.4848 13.1051
4 15.5639 14.1316 15.9804
16 8.5104 5.8829 9.3155
EOD
$wfcq << EOD
1 15.0089 13.5656 24.2290
2 41.3197 32.6909 103.8297
4 24.1162 20.2917 29.0713
16 24.9614 22.8959 29.4820
EOD
$moody << EOD
1 42.8292 36.8082 49.3404
2 131.4127 108.2480 135.8335
4 144.4858 140.5127 169.1015
16 118.6244 101.9326 141.0293
EOD
$moody_bulk << EOD
1 201.3805 101.8017 223.0292
2 152.9111 121.1485 172.5211
4 173.0811 159.6407 189.4937
16 125.6727 113.7630 149.5471
EOD
$memory << EOD
1 357.3184 289.7215 385.7683
2 293.4984 275.7201 308.8918
4 326.8661 313.1662 340.0831
16 301.0195 285.1444 312.4882
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
